/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The contain command line: one file per verb (cmd-*.c), the options they
 * share (cli-options.c), and the dispatcher (contain.c). Each verb has a
 * parse function, which fills a struct ctr_config and prints nothing (the
 * unit tests call it), and a run function, which prints the one error
 * message and returns the exit code that main() exits with.
 */
#ifndef CONTAIN_CLI_H
#define CONTAIN_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctr-cgroup.h"
#include "ctr-config.h"
#include "ctr-error.h"
#include "ctr-unpack.h"
#include "ctr-net-addr.h"

/* Exit codes of contain itself (CONTRACT.md). */
#define CLI_EXIT_FAILED	     125 /* contain failed before the command ran */
#define CLI_EXIT_CANNOT_EXEC 126 /* the command was found but could not be executed */
#define CLI_EXIT_NOT_FOUND   127 /* the command was not found */

/* The default of --cgroup-parent. */
#define CLI_CGROUP_PARENT_ENV "CONTAIN_CGROUP_PARENT"

/* What a parse function returns besides errors. */
#define CLI_PARSED 0
#define CLI_HELP   1

/* Long option ids shared by the verbs. */
enum cli_option {
	OPT_FIRST = 256,
	OPT_ROOTFS = OPT_FIRST,
	OPT_HOSTNAME,
	OPT_USER,
	OPT_NET,
	OPT_UID_MAP,
	OPT_GID_MAP,
	OPT_MONOTONIC_OFFSET,
	OPT_BOOTTIME_OFFSET,
	OPT_MEMORY,
	OPT_MEMORY_HIGH,
	OPT_CPUS,
	OPT_CPU_WEIGHT,
	OPT_PIDS,
	OPT_IO_MAX,
	OPT_CGROUP_PARENT,
	OPT_LAST,
};

/* Raw values seen so far, to refuse an option repeated with another value. */
struct cli_seen {
	const char *value[OPT_LAST - OPT_FIRST];
	unsigned long extra_ns; /* namespaces added by --user and --net */
};

struct option;

/*
 * Apply one of the shared options (hostname, maps, offsets, limits,
 * --user, --net) to cfg. Returns 0 or a usage error.
 */
int cli_apply_option(struct cli_seen *seen, int id, const char *arg, struct ctr_config *cfg,
		     struct ctr_error *err);

/* Turn getopt_long's '?' or ':' into a usage error naming the option. */
int cli_getopt_error(int c, char **argv, const struct option *longopts, struct ctr_error *err);

/* Whether getopt stopped at a "--" (and not at the end of argv). */
int cli_check_separator(int argc, char **argv, int optind_, struct ctr_error *err);

/* 125, 126 or 127 for an error, as CONTRACT.md documents. */
int cli_exit_code(const struct ctr_error *err);

/* Print "contain: MESSAGE" (and a usage hint for usage errors); return the exit code. */
int cli_fail(const char *verb, const struct ctr_error *err);

/*
 * After the command ended: on stderr, the OOM kills its cgroup counted
 * ("the command was killed by the OOM killer (memory.max N)"). Nothing
 * when there were none.
 */
void cli_report_oom(const struct ctr_run_result *res);

/*
 * Parse with `parse`, print `usage` for --help, run the container, and
 * return the exit code: the command's status, or cli_fail's for an error.
 * --cgroup-parent defaults to $CONTAIN_CGROUP_PARENT.
 */
int cli_run_container(const char *verb,
		      int (*parse)(int, char **, struct ctr_config *, struct ctr_error *),
		      void (*usage)(void), int argc, char **argv);

/* The verbs. */
int cmd_ns_parse(int argc, char **argv, struct ctr_config *cfg, struct ctr_error *err);
int cmd_ns(int argc, char **argv);
int cmd_run_parse(int argc, char **argv, struct ctr_config *cfg, struct ctr_error *err);
int cmd_run(int argc, char **argv);

/* What `contain trace` was asked to do. */
struct cli_trace_opts {
	bool json;
	uint64_t syscall_mask; /* bits 1 << enum ctr_trace_syscall */
	pid_t pid;	       /* --pid, or 0 */
	char **argv;	       /* the command, when not --pid */
};

int cmd_trace_parse(int argc, char **argv, struct cli_trace_opts *opts, struct ctr_error *err);
int cmd_trace(int argc, char **argv);

/* The subcommands of `contain cgroup`. */
enum cli_cgroup_cmd {
	CLI_CGROUP_CREATE,
	CLI_CGROUP_ATTACH,
	CLI_CGROUP_MEMORY,
	CLI_CGROUP_CPU,
	CLI_CGROUP_PIDS,
	CLI_CGROUP_IO,
	CLI_CGROUP_STAT,
	CLI_CGROUP_EXEC,
	CLI_CGROUP_DELETE,
};

#define CLI_CGROUP_PIDS_MAX 64

/* What `contain cgroup SUBCOMMAND` was asked to do. */
struct cli_cgroup_opts {
	enum cli_cgroup_cmd cmd;
	const char *path;		 /* PATH as given */
	struct ctr_limits limits;	 /* create, memory, cpu, pids, io */
	pid_t pids[CLI_CGROUP_PIDS_MAX]; /* attach */
	size_t n_pids;
	bool json;   /* stat --json */
	char **argv; /* exec: the command */
};

int cmd_cgroup_parse(int argc, char **argv, struct cli_cgroup_opts *opts, struct ctr_error *err);
int cmd_cgroup(int argc, char **argv);

/* The subcommands of `contain net`. */
enum cli_net_cmd {
	CLI_NET_CREATE,
	CLI_NET_DELETE,
	CLI_NET_BRIDGE,
	CLI_NET_ATTACH,
	CLI_NET_VETH,
	CLI_NET_NAT,
	CLI_NET_EXEC,
	CLI_NET_DIAGNOSE,
};

/* What `contain net SUBCOMMAND` was asked to do; addresses are parsed already. */
struct cli_net_opts {
	bool has_cmd; /* a subcommand was given (its --help, or the verb's) */
	enum cli_net_cmd cmd;
	const char *name;   /* NAME (create, delete, attach, veth, exec, diagnose) or BR */
	const char *bridge; /* attach: BR; create --attach BR */
	bool del;	    /* bridge --delete, nat --delete */
	bool has_addr, has_peer_addr, has_gateway, has_subnet, has_to;
	struct ctr_cidr addr;	   /* --addr */
	struct ctr_cidr peer_addr; /* veth --peer-addr */
	struct ctr_cidr gateway;   /* attach --gateway (prefix 32) */
	struct ctr_cidr subnet;	   /* nat --subnet (host bits zero) */
	struct ctr_cidr to;	   /* diagnose --to (prefix 32) */
	char **argv;		   /* exec: the command */
};

/* Exit status of `contain net diagnose` when a step is missing. */
#define CLI_NET_DIAGNOSE_MISSING 1

/*
 * Parse `net SUBCOMMAND ...` (argv[0] is "net"). Returns CLI_PARSED,
 * CLI_HELP (for the subcommand when opts->has_cmd, else for the verb), or a
 * usage error that names the bad option or value.
 */
int cmd_net_parse(int argc, char **argv, struct cli_net_opts *opts, struct ctr_error *err);
int cmd_net(int argc, char **argv);

struct json_t;
/*
 * One interface file's text as JSON: SINGLE a number, or the text as a
 * string ("max", "50000 100000"); FLAT {KEY: number}; NESTED {KEY:
 * {SUBKEY: number}}. Numbers with a decimal point (PSI averages) are
 * reals. NULL when out of memory.
 */
struct json_t *cli_cgroup_file_json(enum ctr_cgroup_format format, const char *text);

/* The cgroup v2 limit options of `run`, `ns` and `cgroup create` (getopt_long). */
#define CLI_LIMIT_OPTIONS                                                    \
	{ "memory", required_argument, NULL, OPT_MEMORY },                   \
		{ "memory-high", required_argument, NULL, OPT_MEMORY_HIGH }, \
		{ "cpus", required_argument, NULL, OPT_CPUS },               \
		{ "cpu-weight", required_argument, NULL, OPT_CPU_WEIGHT },   \
		{ "pids", required_argument, NULL, OPT_PIDS },               \
	{                                                                    \
		"io-max", required_argument, NULL, OPT_IO_MAX                \
	}

/* The cgroup v2 limit options of `run` and `ns`, for their --help. */
#define CLI_LIMITS_HELP                                                                    \
	"cgroup v2 limits (the command runs in a cgroup of its own, PARENT/contain-PID,\n" \
	"deleted when it ends):\n"                                                         \
	"  --memory N                memory.max: bytes, K/M/G/T suffix, or max; also\n"    \
	"                            memory.swap.max 0, so N caps memory plus swap\n"      \
	"  --memory-high N           memory.high (throttle and reclaim above N)\n"         \
	"  --cpus X                  cpu.max: X CPUs, e.g. 0.5 (\"50000 100000\")\n"       \
	"  --cpu-weight N            cpu.weight, 1-10000 (default 100)\n"                  \
	"  --pids N                  pids.max: number of tasks, or max\n"                  \
	"  --io-max \"MAJ:MIN K=V...\" io.max; K is rbps, wbps, riops or wiops\n"          \
	"  --cgroup-parent DIR       where the cgroup is made (default:\n"                 \
	"                            $CONTAIN_CGROUP_PARENT, else contain's own cgroup)\n"

/* What `contain oci spec` and `contain oci unpack` were asked to do. */
struct cli_oci_opts {
	const char *bundle;
	const char *rootfs; /* spec: root.path */
	const char *image;  /* unpack */
	struct ctr_unpack_opts unpack;
};

int cmd_oci_spec_parse(int argc, char **argv, struct cli_oci_opts *opts, struct ctr_error *err);
int cmd_oci_unpack_parse(int argc, char **argv, struct cli_oci_opts *opts, struct ctr_error *err);
int cmd_oci(int argc, char **argv);

#endif
