// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * contain: the reference container runtime's command line. It dispatches
 * to one file per verb; only main() exits. The contract it implements is
 * runtime/CONTRACT.md.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "contain-cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *later; /* for verbs not implemented yet: what brings them */
} verbs[] = {
	{ "ns", cmd_ns, NULL },		/* cmd-ns.c */
	{ "run", cmd_run, NULL },	/* cmd-run.c */
	{ "net", cmd_net, NULL },	/* cmd-net.c */
	{ "cgroup", cmd_cgroup, NULL }, /* cmd-cgroup.c */
	{ "trace", cmd_trace, NULL },	/* cmd-trace.c */
	{ "oci", cmd_oci, NULL },	/* cmd-oci.c */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: contain [--help] [--version] VERB [ARGS...]\n"
		   "\n"
		   "Verbs:\n"
		   "  ns TYPE[,TYPE...] [OPTIONS] -- CMD...    run CMD in new namespaces\n"
		   "  ns container --rootfs DIR [OPTIONS] -- CMD...\n"
		   "                                           run CMD as a container in DIR\n"
		   "  run [OPTIONS] ROOTFS -- CMD...           docker-like one-shot container\n"
		   "  cgroup create|attach|memory|cpu|pids|io|stat|exec|delete PATH ...\n"
		   "                                           cgroup v2 groups and limits\n"
		   "  net create|delete|bridge|attach|veth|nat|exec|diagnose ...\n"
		   "                                           network namespaces, bridges, veth\n"
		   "                                           cables and NAT\n"
		   "  trace [--json] [--syscalls LIST] -- CMD...\n"
		   "  trace [--json] [--syscalls LIST] --pid PID\n"
		   "                                           trace namespace, mount and exec\n"
		   "                                           syscalls of CMD and its children\n"
		   "  oci spec [--rootfs DIR] BUNDLE           write a default config.json\n"
		   "  oci unpack [OPTIONS] IMAGE BUNDLE        unpack an OCI or docker image\n"
		   "                                           into a bundle\n"
		   "\n"
		   "Exit status: CMD's own, 128+N if a signal N killed it, 125 if contain\n"
		   "failed, 126 if CMD cannot be executed, 127 if CMD was not found.\n"
		   "Run 'contain VERB --help' for the options of a verb.\n");
}

int main(int argc, char **argv)
{
	const char *verb;

	if (argc < 2) {
		fprintf(stderr, "contain: missing verb\n");
		usage(stderr);
		return CLI_EXIT_FAILED;
	}
	verb = argv[1];
	if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0 || strcmp(verb, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(verb, "--version") == 0) {
		printf("contain %s\n", ISOLAB_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(verbs[i].name, verb) != 0)
			continue;
		if (!verbs[i].run) {
			fprintf(stderr, "contain: %s is not implemented yet: it arrives with %s\n",
				verb, verbs[i].later);
			return CLI_EXIT_FAILED;
		}
		return verbs[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "contain: unknown verb \"%s\"\nTry 'contain --help'.\n", verb);
	return CLI_EXIT_FAILED;
}
