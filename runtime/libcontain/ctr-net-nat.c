// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `contain net nat`: IPv4 forwarding plus a masquerade rule in an nftables
 * table contain owns, through libnftables (libnftables(3)): the commands are
 * the ones `nft` would take, run in-process with output and errors
 * buffered. Built only when libnftables is found; ctr-net.c has the stubs.
 * libnftables is opened on first use (ctr-dlopen.h): it and its dozen
 * dependencies are not loaded by the verbs that never touch nftables.
 *
 * The value of net.ipv4.ip_forward found before the first isolab NAT table
 * is kept in $CONTAIN_STATE_DIR/net/forward-BR, and written back when the
 * last isolab-nat-* table goes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "ctr-dlopen.h"
#include "ctr-journal.h"
#include "ctr-mutant.h"
#include "ctr-net.h"
#include "ctr-util.h"

#define NAT_FAMILY "ip"

CTR_DLSYM_DEFINE(nft_ctx_new);
CTR_DLSYM_DEFINE(nft_ctx_free);
CTR_DLSYM_DEFINE(nft_ctx_buffer_output);
CTR_DLSYM_DEFINE(nft_ctx_buffer_error);
CTR_DLSYM_DEFINE(nft_ctx_get_output_buffer);
CTR_DLSYM_DEFINE(nft_ctx_get_error_buffer);
CTR_DLSYM_DEFINE(nft_run_cmd_from_buffer);
CTR_DLLIB_DEFINE(libnftables, CTR_SONAME_LIBNFTABLES, CTR_PACKAGE_LIBNFTABLES,
		 CTR_DLSYM(nft_ctx_new), CTR_DLSYM(nft_ctx_free), CTR_DLSYM(nft_ctx_buffer_output),
		 CTR_DLSYM(nft_ctx_buffer_error), CTR_DLSYM(nft_ctx_get_output_buffer),
		 CTR_DLSYM(nft_ctx_get_error_buffer), CTR_DLSYM(nft_run_cmd_from_buffer));

bool ctr_net_have_nat(void)
{
	return true;
}

static void nft_freep(struct nft_ctx **ctx)
{
	if (*ctx)
		sym_nft_ctx_free(*ctx);
	*ctx = NULL;
}

static int nft_open(struct nft_ctx **ret, struct ctr_error *err)
{
	struct nft_ctx *ctx;
	int r;

	r = ctr_dlopen(&libnftables, err);
	if (r < 0)
		return r;
	ctx = sym_nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return ctr_error_errno(err, ENOMEM, "create an nftables context");
	/* Buffered, so that nothing reaches our stdout or stderr. */
	if (sym_nft_ctx_buffer_output(ctx) < 0 || sym_nft_ctx_buffer_error(ctx) < 0) {
		sym_nft_ctx_free(ctx);
		return ctr_error_errno(err, ENOMEM, "buffer nftables output");
	}
	*ret = ctx;
	return 0;
}

/* Run cmd; on failure the first line of nft's error ("Error: ...") becomes the message. */
static int nft_run(struct nft_ctx *ctx, const char *what, const char *cmd, struct ctr_error *err)
{
	const char *e;
	size_t len;

	if (sym_nft_run_cmd_from_buffer(ctx, cmd) == 0)
		return 0;
	e = sym_nft_ctx_get_error_buffer(ctx);
	if (!e || !e[0])
		e = "failed";
	if (strncmp(e, "Error: ", 7) == 0)
		e += 7;
	len = strcspn(e, "\n");
	if (strstr(e, "Operation not permitted"))
		return ctr_error_set(err, EPERM, "%s: %.*s", what, (int)len, e);
	if (strstr(e, "File exists"))
		return ctr_error_set(err, EEXIST, "%s: %.*s", what, (int)len, e);
	return ctr_error_set(err, EIO, "%s: %.*s", what, (int)len, e);
}

/*
 * Whether the table `ip isolab-nat-BR` exists (1 or 0), and into
 * *ret_others how many other isolab-nat-* tables of any family there are.
 */
static int nat_tables(struct nft_ctx *ctx, const char *table, unsigned *ret_others,
		      struct ctr_error *err)
{
	_cleanup_free_ char *list = NULL;
	char *save = NULL;
	unsigned others = 0;
	int found = 0, r;

	r = nft_run(ctx, "list nftables tables", "list tables", err);
	if (r < 0)
		return r;
	list = strdup(sym_nft_ctx_get_output_buffer(ctx) ?: "");
	if (!list)
		return ctr_error_errno(err, ENOMEM, "list nftables tables");
	/* Lines "table FAMILY NAME". */
	for (char *l = strtok_r(list, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char family[16], name[256];

		if (sscanf(l, "table %15s %255s", family, name) != 2)
			continue;
		if (strncmp(name, CTR_NAT_TABLE_PREFIX, strlen(CTR_NAT_TABLE_PREFIX)) != 0)
			continue;
		if (strcmp(family, NAT_FAMILY) == 0 && strcmp(name, table) == 0)
			found = 1;
		else
			others++;
	}
	if (ret_others)
		*ret_others = others;
	return found;
}

static int read_small_file(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/*
 * The ip_forward value from before isolab NAT: when another isolab-nat-*
 * table exists, the one its state file holds (the current value is then
 * our own "1"); else the current value.
 */
static int forward_original(const char *br, unsigned others, char *buf, size_t size,
			    struct ctr_error *err)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (others > 0 &&
	    snprintf(dir, sizeof(dir), "%s/net", ctr_state_dir()) < (int)sizeof(dir) &&
	    (d = opendir(dir))) {
		int found = 0;

		while (!found && (de = readdir(d))) {
			char path[PATH_MAX + 256];

			if (strncmp(de->d_name, "forward-", 8) != 0 ||
			    strcmp(de->d_name + 8, br) == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			found = read_small_file(path, buf, size) == 0 && buf[0];
		}
		closedir(d);
		if (found)
			return 0;
	}
	return ctr_net_forward_read(buf, size, err);
}

static int write_state(const char *path, const char *value, struct ctr_error *err)
{
	char dir[PATH_MAX], *slash;
	_cleanup_close_ int fd = -1;
	char line[64];

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	/* STATE_DIR, then STATE_DIR/net. */
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return ctr_error_errno(err, errno, "create %s", dir);
		*slash = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return ctr_error_errno(err, errno, "create %s", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return ctr_error_errno(err, errno, "create %s", path);
	snprintf(line, sizeof(line), "%s\n", value);
	if (ctr_write_all(fd, line, strlen(line)) < 0)
		return ctr_error_errno(err, errno, "write %s", path);
	return 0;
}

int ctr_net_nat_add(const char *br, const struct ctr_cidr *subnet, struct ctr_error *err)
{
	__attribute__((cleanup(nft_freep))) struct nft_ctx *ctx = NULL;
	char table[IFNAMSIZ + sizeof(CTR_NAT_TABLE_PREFIX)], state[PATH_MAX], cmd[1024];
	char old[32], net[CTR_CIDR_STRLEN], what[128];
	struct ctr_cidr sn = *subnet;
	bool table_made = false, forward_set = false;
	unsigned others = 0;
	int r;

	r = ctr_net_nat_name_check(br, err);
	if (r < 0)
		return r;
	r = ctr_net_link_exists(br, err);
	if (r < 0)
		return r;
	if (r == 0)
		return ctr_error_set(err, ENODEV, "link %s does not exist", br);
	if (ctr_mutant("nat-missing"))
		return 0;
	snprintf(table, sizeof(table), CTR_NAT_TABLE_PREFIX "%s", br);
	r = ctr_net_forward_state_path(br, state, sizeof(state), err);
	if (r < 0)
		return r;

	r = nft_open(&ctx, err);
	if (r < 0)
		return r;
	r = nat_tables(ctx, table, &others, err);
	if (r < 0)
		return r;
	if (r > 0)
		return ctr_error_set(err, EEXIST, "table %s %s exists already", NAT_FAMILY, table);
	r = forward_original(br, others, old, sizeof(old), err);
	if (r < 0)
		return r;

	/* Journal order is undo order reversed: the table goes first, then ip_forward. */
	/* The journal takes absolute paths only. */
	if (ctr_journal_enabled() && state[0] == '/') {
		const char *f[] = { state };

		r = ctr_journal_append("file", f, 1, err);
		if (r < 0)
			return r;
	}
	r = write_state(state, old, err);
	if (r < 0)
		return r;
	{
		char now[32];

		r = ctr_net_forward_read(now, sizeof(now), err);
		if (r < 0)
			goto fail;
		if (strcmp(now, "1") != 0) {
			r = ctr_journal_sysctl("net.ipv4.ip_forward", now, err);
			if (r < 0)
				goto fail;
			snprintf(old, sizeof(old), "%s", now);
			forward_set = true;
		}
	}
	r = ctr_journal_nft(NAT_FAMILY, table, err);
	if (r < 0)
		goto fail;

	sn.addr = ctr_cidr_network(subnet);
	ctr_cidr_format(&sn, true, net);
	/*
	 * One buffer is one nftables transaction: the table, its chain and the
	 * rule appear together or not at all. `create` fails on an existing
	 * table where `add` would reuse it.
	 */
	snprintf(cmd, sizeof(cmd),
		 "create table %1$s %2$s\n"
		 "add chain %1$s %2$s postrouting "
		 "{ type nat hook postrouting priority srcnat; policy accept; }\n"
		 "add rule %1$s %2$s postrouting ip saddr %3$s oifname != \"%4$s\" masquerade\n",
		 NAT_FAMILY, table, net, br);
	snprintf(what, sizeof(what), "create table %s %s", NAT_FAMILY, table);
	r = nft_run(ctx, what, cmd, err);
	if (r < 0)
		goto fail;
	table_made = true;
	if (forward_set) {
		r = ctr_net_forward_write("1", err);
		if (r < 0)
			goto fail;
	}
	return 0;

fail:
	if (table_made) {
		snprintf(cmd, sizeof(cmd), "delete table " NAT_FAMILY " %s", table);
		nft_run(ctx, "undo", cmd, &(struct ctr_error){ 0 });
	}
	if (forward_set)
		ctr_net_forward_write(old, &(struct ctr_error){ 0 });
	unlink(state);
	return r;
}

int ctr_net_nat_delete(const char *br, bool missing_ok, struct ctr_error *err)
{
	__attribute__((cleanup(nft_freep))) struct nft_ctx *ctx = NULL;
	char table[IFNAMSIZ + sizeof(CTR_NAT_TABLE_PREFIX)], state[PATH_MAX], cmd[512];
	char old[32];
	unsigned others = 0;
	int r;

	r = ctr_net_nat_name_check(br, err);
	if (r < 0)
		return r;
	snprintf(table, sizeof(table), CTR_NAT_TABLE_PREFIX "%s", br);
	r = ctr_net_forward_state_path(br, state, sizeof(state), err);
	if (r < 0)
		return r;
	r = nft_open(&ctx, err);
	if (r < 0)
		return r;
	r = nat_tables(ctx, table, NULL, err);
	if (r < 0)
		return r;
	if (r == 0) {
		if (missing_ok)
			return 0;
		return ctr_error_set(err, ENOENT, "no NAT for %s: table %s %s does not exist", br,
				     NAT_FAMILY, table);
	}
	snprintf(cmd, sizeof(cmd), "delete table " NAT_FAMILY " %s", table);
	r = nft_run(ctx, cmd, cmd, err);
	if (r < 0)
		return r;

	r = nat_tables(ctx, table, &others, err);
	if (r < 0)
		return r;
	/* Forwarding stays on while another isolab NAT table still needs it. */
	if (others == 0 && read_small_file(state, old, sizeof(old)) == 0 && old[0]) {
		r = ctr_net_forward_write(old, err);
		if (r < 0)
			return r;
	}
	if (unlink(state) < 0 && errno != ENOENT)
		return ctr_error_errno(err, errno, "remove %s", state);
	return 1;
}
