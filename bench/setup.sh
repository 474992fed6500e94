#!/bin/bash
# bench/setup.sh - everything `make bench` needs, idempotent and cached.
#
#   bash bench/setup.sh            (run.sh calls it; as root or as a user)
#
# As root: installs the peers that are missing (podman crun hyperfine
# mmdebstrap skopeo umoci zstd curl) with apt, applies the machine fixes of
# shared/BENCH.md (hybrid cgroup hierarchy, /dev/net/tun and /dev/fuse 0666,
# / rshared). As a user it only says what is missing.
#
# For both: writes podman's configuration for the bench into $CACHE/podman
# (containers.conf, storage.conf and an `env` file run.sh sources, which
# points CONTAINERS_CONF / CONTAINERS_STORAGE_CONF there), so the bench
# never touches the user's own podman images; and, when the user has no
# ~/.config/containers/storage.conf, writes one with driver "overlay" (the
# BENCH.md fix: without it Debian's podman silently uses vfs rootless).
#
# Builds once the Debian image: `mmdebstrap --variant=minbase bookworm`
# (--mode=root as root, --mode=unshare rootless; debootstrap as root if
# mmdebstrap is missing) from the configured Debian mirror, then
# bench/mkimage.py makes $CACHE/debian-oci: an OCI layout with husk/debian:gzip
# and husk/debian:zstd (one layer each) plus the uncompressed layer.tar.
#
# CACHE is $HUSK_BENCH_CACHE, else ~/.cache/husk-bench.

set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${HUSK_BENCH_CACHE:-$HOME/.cache/husk-bench}
PY=/usr/bin/python3

say() { printf 'setup: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

mkdir -p "$CACHE" || die "cannot create $CACHE"
CACHE=$(cd "$CACHE" && pwd)
uid=$(id -u)

# --- peers ---------------------------------------------------------------
need_pkgs=()
for p in podman:podman crun:crun hyperfine:hyperfine mmdebstrap:mmdebstrap \
	skopeo:skopeo umoci:umoci zstd:zstd curl:curl gzip:gzip; do
	command -v "${p%%:*}" >/dev/null 2>&1 || need_pkgs+=("${p#*:}")
done
# uidmap gives rootless podman its newuidmap/newgidmap
command -v newuidmap >/dev/null 2>&1 || need_pkgs+=(uidmap)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	if [ "$uid" = 0 ]; then
		say "installing ${need_pkgs[*]}"
		export DEBIAN_FRONTEND=noninteractive
		if ! apt-get install -y --no-install-recommends "${need_pkgs[@]}" >"$CACHE/apt.log" 2>&1; then
			apt-get update >>"$CACHE/apt.log" 2>&1
			apt-get install -y --no-install-recommends "${need_pkgs[@]}" >>"$CACHE/apt.log" 2>&1 ||
				say "apt-get install failed (see $CACHE/apt.log); missing peers will be skipped"
		fi
	else
		say "not installed (run bench/setup.sh as root to install): ${need_pkgs[*]}; those rows are skipped"
	fi
fi

# --- machine fixes (root only, BENCH.md) -----------------------------------
if [ "$uid" = 0 ]; then
	# hybrid cgroups: a controller on the v2 mount (hugetlb) gets its own v1
	# hierarchy, else podman run fails with "cgroups in hybrid mode".
	if [ -r /sys/fs/cgroup/unified/cgroup.controllers ]; then
		read -r -a ctrls </sys/fs/cgroup/unified/cgroup.controllers
		for c in "${ctrls[@]}"; do
			mountpoint -q "/sys/fs/cgroup/$c" && continue
			mkdir -p "/sys/fs/cgroup/$c" 2>/dev/null
			mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c" 2>/dev/null ||
				say "could not mount the $c v1 hierarchy (podman run may fail; pulls are unaffected)"
		done
	fi
	for d in /dev/net/tun /dev/fuse; do
		[ -e "$d" ] && chmod 0666 "$d"
	done
	mount --make-rshared / 2>/dev/null || true
fi

# --- podman configuration for the bench ---------------------------------------
pc="$CACHE/podman"
mkdir -p "$pc"
if [ "$uid" = 0 ]; then
	runroot=/run/husk-bench-podman
	nofile=$(ulimit -Hn)
	ulimits="default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=32768:32768\"]"
else
	runroot=${XDG_RUNTIME_DIR:-/run/user/$uid}/husk-bench-podman
	ulimits=""
fi
cat >"$pc/storage.conf.tmp" <<EOF
# written by husk bench/setup.sh
[storage]
driver = "overlay"
graphroot = "$pc/storage"
runroot = "$runroot"
# rootless podman ignores graphroot here, it reads this one
rootless_storage_path = "$pc/storage"
EOF
cat >"$pc/containers.conf.tmp" <<EOF
# written by husk bench/setup.sh (shared/BENCH.md)
[containers]
$ulimits

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
cat >"$pc/env.tmp" <<EOF
# sourced by bench/run.sh
export CONTAINERS_CONF=$pc/containers.conf
export CONTAINERS_STORAGE_CONF=$pc/storage.conf
EOF
for f in storage.conf containers.conf env; do
	if cmp -s "$pc/$f.tmp" "$pc/$f"; then
		rm -f "$pc/$f.tmp"
	else
		mv "$pc/$f.tmp" "$pc/$f"
		# a driver change needs a fresh store
		[ "$f" = storage.conf ] && [ -d "$pc/storage" ] &&
			{ CONTAINERS_STORAGE_CONF="$pc/storage.conf" podman system reset -f >/dev/null 2>&1 || true; }
	fi
done
if [ "$uid" != 0 ]; then
	uc=${XDG_CONFIG_HOME:-$HOME/.config}/containers
	if [ ! -e "$uc/storage.conf" ]; then
		mkdir -p "$uc" && printf '[storage]\ndriver = "overlay"\n' >"$uc/storage.conf"
		say "wrote $uc/storage.conf (driver overlay)"
	fi
fi

# --- the Debian image -------------------------------------------------------
img="$CACHE/debian-oci"
if [ -f "$img/info.json" ] && [ -f "$img/layer.tar" ]; then
	say "Debian image cached in $img"
	exit 0
fi
raw="$CACHE/debian-minbase-v2.tar"
if [ ! -s "$raw" ]; then
	mirror=http://deb.debian.org/debian
	# the mirror apt is configured with, if it says so
	m=$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/* *$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
	[ -n "$m" ] && mirror=$m
	t0=$(date +%s)
	# merge /usr with mmdebstrap's own hook, not the usrmerge package (which
	# drags perl in: 179 MB instead of ~120 MB, unlike Debian's images)
	hook=
	[ -d /usr/share/mmdebstrap/hooks/merged-usr ] &&
		hook=--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
	if [ "$uid" = 0 ]; then
		rootfs="$CACHE/debian-rootfs.tmp"
		rm -rf "$rootfs"
		if command -v mmdebstrap >/dev/null; then
			say "mmdebstrap --mode=root --variant=minbase bookworm (from $mirror)"
			mmdebstrap --quiet --mode=root --variant=minbase --format=directory $hook \
				bookworm "$rootfs" "$mirror" >"$CACHE/mmdebstrap.log" 2>&1 ||
				die "mmdebstrap failed, see $CACHE/mmdebstrap.log"
		elif command -v debootstrap >/dev/null; then
			say "debootstrap --variant=minbase bookworm (from $mirror)"
			debootstrap --variant=minbase bookworm "$rootfs" "$mirror" \
				>"$CACHE/debootstrap.log" 2>&1 ||
				die "debootstrap failed, see $CACHE/debootstrap.log"
		else
			die "neither mmdebstrap nor debootstrap is installed: no Debian image"
		fi
		tar -C "$rootfs" --numeric-owner --xattrs --sort=name -cf "$raw.tmp" . ||
			die "tar of $rootfs failed"
		rm -rf "$rootfs"
	else
		command -v mmdebstrap >/dev/null ||
			die "mmdebstrap is not installed (run bench/setup.sh as root once): no Debian image"
		say "mmdebstrap --mode=unshare --variant=minbase bookworm (from $mirror)"
		mmdebstrap --quiet --mode=unshare --variant=minbase --format=tar $hook \
			bookworm "$raw.tmp" "$mirror" >"$CACHE/mmdebstrap.log" 2>&1 ||
			die "mmdebstrap failed, see $CACHE/mmdebstrap.log"
	fi
	mv "$raw.tmp" "$raw"
	say "rootfs tar built in $(($(date +%s) - t0)) s"
fi
$PY "$BENCH_DIR/mkimage.py" "$raw" "$img" || die "mkimage.py failed"
exit 0
