#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A runtime that lies: it creates no namespace, mounts nothing and runs
# nothing, but answers every verb with exit 0 and the output a working
# runtime's in-container probe would print. It even copies the nonce from
# its own command line (`... -- PROBE NONCE VERB`), which is the best a
# liar can do, and claims PID 1, a fresh hostname, fresh namespace inodes
# and a tiny mount table.
#
# With --canned first (`--runtime "liar-runtime.sh --canned"`) it prints a
# fixed nonce instead: the liar that only "prints the expected text".
canned=0
[ "${1:-}" = --canned ] && canned=1
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
	shift
done
[ "$#" -gt 0 ] && shift
nonce=0000000000000000
verb=getpid
case "${1:-}" in
*probe)
	[ "$canned" = 1 ] || nonce=${2:-$nonce}
	verb=${3:-$verb}
	;;
esac
ns='{"cgroup":4026532001,"ipc":4026532002,"mnt":4026532003,"net":4026532004,"pid":4026532005,"time":4026532006,"user":4026532007,"uts":4026532008}'
printf '{"nonce":"%s","cmd":"%s","pid":1,"ppid":0,"uid":0,"gid":0,"hostname":"container","ns":%s,"mounts":[{"mount_id":1,"parent_id":1,"dev":"0:1","root":"/","mount_point":"/","options":"rw","propagation":"","fstype":"tmpfs","source":"rootfs","super_options":"rw"},{"mount_id":2,"parent_id":1,"dev":"0:2","root":"/","mount_point":"/proc","options":"rw","propagation":"","fstype":"proc","source":"proc","super_options":"rw"}],"pids":[1],"errno_name":"ESRCH","fds":[0,1,2]}\n' \
	"$nonce" "$verb" "$ns"
exit 0
