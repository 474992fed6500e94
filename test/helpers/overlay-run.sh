#!/bin/bash
# overlay-run.sh STORE NAME CMD...: mount the image NAME (the full reference
# stored in STORE/index.json) read-only as an overlay of its unpacked layers
# in a private mount namespace, and run CMD there with $ROOTFS set to the
# mount point. Rootless callers run this inside `husk unshare`: the mount
# then uses userxattr, as husk's own rootless overlays do.
# This is how the tests look at a pulled image the way a container will.
set -eu
store=$1 name=$2
shift 2
manifest=$(jq -r --arg n "$name" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $n) | .digest' "$store/index.json")
[ -n "$manifest" ] || { echo "overlay-run: no image '$name' in $store" >&2; exit 1; }
config=$(jq -r .config.digest "$store/blobs/sha256/${manifest#sha256:}")
mnt=$(mktemp -d "${TMPDIR:-/tmp}/husk-ovl.XXXXXX")
mkdir "$mnt/root" "$mnt/l"
# mount(2) takes one page of options: 60+ full layer paths do not fit, so
# the lowerdirs are short relative links (the kernel resolves them at mount
# time, relative to the working directory)
lower="" i=0
# overlay's lowerdir lists the top layer first
for d in $(jq -r '.rootfs.diff_ids | reverse | .[]' "$store/blobs/sha256/${config#sha256:}"); do
	ln -s "$store/layers/${d#sha256:}" "$mnt/l/$i"
	lower="$lower${lower:+:}$i"
	i=$((i + 1))
done
# read-only overlays need two lowers at least: an empty top one
mkdir "$mnt/l/e"
opts="lowerdir=e:$lower"
# the host's root reads trusted.overlay.*; in a user namespace, user.overlay.*
if ! awk '$1 == 0 && $2 == 0 && $3 == 4294967295 { f = 1 } END { exit !f }' /proc/self/uid_map; then
	opts="$opts,userxattr"
fi
export ROOTFS="$mnt/root" OVL_OPTS="$opts" OVL_DIR="$mnt/l"
rc=0
# shellcheck disable=SC2016 # expanded by the inner sh
unshare -m sh -c 'cd "$OVL_DIR" && mount -t overlay overlay -o "$OVL_OPTS" "$ROOTFS" && cd / && exec "$@"' sh "$@" || rc=$?
rm -rf "$mnt"
exit $rc
