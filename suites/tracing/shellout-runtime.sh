#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A runtime that delegates to util-linux instead of making the namespace
# itself: the shell-out detector must flag it ("unshare"). It implements
# just `ns pid -- CMD…`.
set -eu
if [ "$#" -lt 3 ] || [ "$1" != ns ] || [ "$2" != pid ] || [ "$3" != -- ]; then
	echo "usage: $0 ns pid -- CMD..." >&2
	exit 2
fi
shift 3
exec unshare --pid --fork --mount-proc "$@"
