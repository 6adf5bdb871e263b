// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * contain: the reference container runtime's command line. It dispatches
 * to one file per verb; only main() exits. The contract it implements is
 * runtime/CONTRACT.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "contain-cli.h"
#include "ctr-mutant.h"

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

#ifdef CONTAIN_MUTANTS
/*
 * contain-mutant only: a leading --mutant=NAME selects one fault of
 * ctr-mutant.c, and --list-mutants prints the table as "NAME LESSON
 * FAULT" lines for tests/mutants. $CONTAIN_MUTANT selects one too, for
 * the harness's hooks that take a path, not words ($ISOLAB_TRACER); it is
 * unset at once, so the command never sees it.
 */
static int mutant_option(int *argc, char ***argv)
{
	const char *arg = *argc > 1 ? (*argv)[1] : "";
	const char *env = getenv("CONTAIN_MUTANT");

	if (env && *env && ctr_mutant_select(env) < 0) {
		fprintf(stderr, "contain: unknown mutant \"%s\" in $CONTAIN_MUTANT\n", env);
		return CLI_EXIT_FAILED;
	}
	unsetenv("CONTAIN_MUTANT");
	if (strcmp(arg, "--list-mutants") == 0) {
		for (size_t i = 0; ctr_mutants[i].name; i++)
			printf("%s %u %s\n", ctr_mutants[i].name, ctr_mutants[i].lesson,
			       ctr_mutants[i].fault);
		return 0;
	}
	if (strncmp(arg, "--mutant=", strlen("--mutant=")) != 0)
		return -1;
	if (ctr_mutant_select(arg + strlen("--mutant=")) < 0) {
		fprintf(stderr, "contain: unknown mutant \"%s\" (see --list-mutants)\n",
			arg + strlen("--mutant="));
		return CLI_EXIT_FAILED;
	}
	(*argv)[1] = (*argv)[0];
	(*argv)++;
	(*argc)--;
	return -1;
}
#endif

int main(int argc, char **argv)
{
	const char *verb;

#ifdef CONTAIN_MUTANTS
	int r = mutant_option(&argc, &argv);

	if (r >= 0)
		return r;
#endif
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
