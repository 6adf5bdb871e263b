/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * isolab-init, the PID 1 of an `isolab vm` guest: the state its parts
 * share. isolab-init.c runs the job and talks to the host; init-boot.c
 * prepares the guest (root, mounts, cgroups, modules, the results port).
 */
#ifndef ISOLAB_INIT_H
#define ISOLAB_INIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define INIT_NAME "isolab-init 1"

struct init_child {
	pid_t pid;
	int status; /* as from waitpid(2), once exited */
	bool exited;
};

struct init {
	int console; /* /dev/console: our log, and the children's stdout and stderr */
	int port;    /* the results port, -1 until found */
	int kmsg;    /* /dev/kmsg, read from where it stood at start */
	int sigfd;   /* signalfd(2) for SIGCHLD */
	int beat;    /* timerfd(2) for BEAT frames, -1 until the job is read */
	bool port_failed;
	uint64_t boot_ms;
	long tainted; /* last reading of /proc/sys/kernel/tainted, -1 if unknown */
	/* The child being supervised; any other child is only reaped. */
	struct init_child *child;
	/* Log lines from before the port was found, sent as LOG after HELLO. */
	char *early[64];
	size_t n_early;
	unsigned long n_early_dropped;
};

/* Log one line to the console and, once the port is open, as a LOG frame. */
void init_log(struct init *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Milliseconds of CLOCK_BOOTTIME: the guest's uptime. */
uint64_t init_uptime_ms(void);

/* init-boot.c: each step logs its own failures and carries on. */
void init_root_make_pivotable(struct init *in);
void init_mount_api(struct init *in);
void init_stdio(struct init *in);
void init_hostname_and_lo(struct init *in);
void init_cgroup_enable(struct init *in);
void init_modules_load(struct init *in, const char *list_path);

/*
 * Open the virtio-serial port named HT_VM_PORT_NAME, waiting up to
 * timeout_ms for it to appear. Returns the fd, or -errno.
 */
int init_port_open(struct init *in, int timeout_ms);

#endif
