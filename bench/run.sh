#!/bin/bash
# bench/run.sh - `make bench`: husk against its peers, one table.
#
#   bench/run.sh                 as root, or as a user for the rootless figures
#   QUICK=1 bench/run.sh         fewer runs (< 2 minutes once setup is cached)
#   ROWS="pull_debian_gzip floor_debian" bench/run.sh    only these rows
#
# Calls bench/setup.sh (peers, podman configuration, the cached Debian
# image), builds ./husk if needed, starts the test registry harness in a
# state directory of its own, pushes husk/debian:gzip and husk/debian:zstd,
# then runs each row function. A row measures with hyperfine; every
# measurement lands in $OUT/index.tsv and bench/report.py turns them into a
# Markdown table (stdout) and bench/results/<stamp>-<root|rootless>.json.
#
# Adding a row: write `row_NAME() { ...; }` using `measure`, `measure_rss`
# or `skip`, and append NAME to ALL_ROWS.
#
# Environment: QUICK=1, COLD=trash|rm (how stores are emptied between
# runs, see below), RUNS (override every run count), ROWS, HUSK (the
# binary; default ./husk of this tree), HUSK_BENCH_CACHE (default
# ~/.cache/husk-bench).

set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$BENCH_DIR/.." && pwd)
PY=/usr/bin/python3
QUICK=${QUICK:-0}
CACHE=${HUSK_BENCH_CACHE:-$HOME/.cache/husk-bench}

# The start-up rows come first: rows that delete many files (ps_100's
# containers, ...) leave ext4 slow to create files for 60 s (see COLD).
ALL_ROWS="run_busybox run_default_net run_pasta net_helpers run_nosubuid port_throughput
run_debian rss_run sequential_100
cycle_detached ps_100 images_100 parallel_32 pull_busybox pull_layers pull_many
pull_debian_gzip pull_debian_zstd floor_debian rss_pull"
ROWS=${ROWS:-$ALL_ROWS}

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# runs N_FULL N_QUICK: the run count for this pass
runs() {
	if [ -n "${RUNS:-}" ]; then echo "$RUNS"
	elif [ "$QUICK" = 1 ]; then echo "$2"
	else echo "$1"; fi
}

have() { command -v "$1" >/dev/null 2>&1; }

# --- setup ---------------------------------------------------------------------
bash "$BENCH_DIR/setup.sh" || die "setup failed"
CACHE=$(cd "$CACHE" && pwd)
IMG="$CACHE/debian-oci"
[ -f "$IMG/info.json" ] || die "no Debian image in $IMG"
# shellcheck disable=SC1091
. "$CACHE/podman/env"

if [ -z "${HUSK:-}" ]; then
	make -s -C "$SRC" -j2 husk >&2 || die "cannot build husk"
	HUSK="$SRC/husk"
fi
[ -x "$HUSK" ] || die "no husk binary at $HUSK"
have hyperfine || die "hyperfine is not installed (run bench/setup.sh as root): no figures at all"

if [ "$(id -u)" = 0 ]; then MODE=root; else MODE=rootless; fi
STAMP=$(date -u +%Y%m%dT%H%M%SZ)-$MODE
RESULTS="$BENCH_DIR/results"
OUT="$RESULTS/$STAMP"
mkdir -p "$OUT" || die "cannot create $OUT"
WORK="$CACHE/work-$MODE"
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
export HUSK_ROOT="$WORK/husk-store"
# time a copy (with its husk-* helpers): a rebuild of the tree during the
# run must not change or remove the binary being timed
rm -rf "${WORK:?}/bin"
mkdir -p "$WORK/bin" || die "cannot create $WORK/bin"
for f in "$HUSK" "$(dirname "$HUSK")"/husk-*; do
	[ -f "$f" ] && [ -x "$f" ] && { cp "$f" "$WORK/bin/" || die "cannot copy $f"; }
done
HUSK="$WORK/bin/$(basename "$HUSK")"
HARNESS="$WORK/harness"
: >"$OUT/index.tsv"

# rootless podman leaves a pause process holding its user namespace; stop it
# at the end if this run started it (by its recorded pid, nothing else).
PAUSE_PID_FILE=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/libpod/tmp/pause.pid
pause_before=
[ -f "$PAUSE_PID_FILE" ] && pause_before=$(cat "$PAUSE_PID_FILE" 2>/dev/null)

cleanup() {
	bash "$SRC/test/helpers/harness.sh" down "$HARNESS" >/dev/null 2>&1
	if [ "$MODE" = rootless ] && [ -f "$PAUSE_PID_FILE" ]; then
		local p
		p=$(cat "$PAUSE_PID_FILE" 2>/dev/null)
		if [ -n "$p" ] && [ "$p" != "$pause_before" ] && kill -0 "$p" 2>/dev/null; then
			kill -KILL "$p" 2>/dev/null  # the pause process ignores SIGTERM
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "harness up in $HARNESS"
bash "$SRC/test/helpers/harness.sh" up "$HARNESS" >"$OUT/harness.log" 2>&1 ||
	die "harness up failed: $(tail -n3 "$OUT/harness.log")"
# shellcheck disable=SC1091
. "$HARNESS/env"
REG=$HUSK_REG_PLAIN
$PY "$SRC/test/fixtures/push.py" "$REG" "$IMG" >>"$OUT/harness.log" 2>&1 ||
	die "push of the Debian image failed: $(tail -n3 "$OUT/harness.log")"

GZ_DIGEST=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["gzip"]["digest"])' "$IMG/info.json")
ZS_DIGEST=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["zstd"]["digest"])' "$IMG/info.json")
GZ_BLOB="$IMG/blobs/sha256/${GZ_DIGEST#sha256:}"
ZS_BLOB="$IMG/blobs/sha256/${ZS_DIGEST#sha256:}"

# --- measuring ---------------------------------------------------------------
# Every run is cold: before each one (hyperfine --prepare) the store is
# emptied and `sync`ed. COLD=trash (the default) empties it by moving it
# into $WORK/trash and deletes the trash only between rows (then waits 61 s)
# or at the end; COLD=rm deletes it right away (podman: `podman rmi -a -f`).
# Why: this machine's ext4 has no journal, and without a journal ext4 will
# not reuse an inode freed less than 60 s ago (fs/ext4/ialloc.c
# recently_deleted()): every create then scans past thousands of freed
# inodes. Deleting a 6,000-file tree before each run made a cold Debian pull
# ~2x slower in system time (perf: half of it in recently_deleted) for
# every tool alike, which is no property of the tools. With COLD=trash
# podman starts each run from an empty, already initialised graphroot
# (`podman images` in the prepare step), husk from an empty store.
COLD=${COLD:-trash}
PODMAN_GRAPHROOT=$(sed -n 's/^graphroot = "\(.*\)"$/\1/p' "$CACHE/podman/storage.conf")
if have podman; then
	# podman must use the bench's own store, or "cold" would be a lie
	got=$(podman info --format '{{.Store.GraphRoot}} {{.Store.GraphDriverName}}' 2>"$OUT/podman-info.log")
	if [ "$got" != "$PODMAN_GRAPHROOT overlay" ]; then
		die "podman uses '$got', not '$PODMAN_GRAPHROOT overlay' (see $CACHE/podman/storage.conf, $OUT/podman-info.log)"
	fi
fi
TRASH="$WORK/trash"
TRASH_MAX_MB=${HUSK_BENCH_TRASH_MB:-12000}
mkdir -p "$TRASH/husk" "$TRASH/podman" "$TRASH/other"
# stash DIR KIND: shell text moving DIR (if any) into the trash
stash() { printf "{ [ ! -e '%s' ] || mv '%s' \"\$(mktemp -d '%s/%s/XXXXXX')/\"; }" "$1" "$1" "$TRASH" "$2"; }
if [ "$COLD" = rm ]; then
	if [ "$MODE" = root ]; then
		HUSK_RESET="rm -rf '$HUSK_ROOT' && sync"
	else
		# the rootless store holds files of sub-uids: delete it inside husk's userns
		HUSK_RESET="{ [ ! -e '$HUSK_ROOT' ] || '$HUSK' unshare rm -rf '$HUSK_ROOT'; } && sync"
	fi
	PODMAN_RESET="podman rmi -a -f >/dev/null 2>&1; sync"
else
	HUSK_RESET="$(stash "$HUSK_ROOT" husk) && sync"
	PODMAN_RESET="$(stash "$PODMAN_GRAPHROOT" podman) && podman images >/dev/null && sync"
fi
# a scratch directory, emptied the same way (removable even with 0555 dirs)
scratch_reset() {
	if [ "$COLD" = rm ]; then
		printf "{ [ ! -e '%s' ] || chmod -R u+rwX '%s'; } && rm -rf '%s' && mkdir -p '%s' && sync" "$1" "$1" "$1" "$1"
	else
		printf "%s && mkdir -p '%s' && sync" "$(stash "$1" other)" "$1"
	fi
}

# empty_trash [wait]: delete the trash; with "wait", sleep until ext4 may
# reuse the freed inodes, so the next row starts as if on a quiet disk
empty_trash() {
	[ -n "$(ls -A "$TRASH/husk" "$TRASH/podman" "$TRASH/other" 2>/dev/null)" ] || return 0
	say "emptying $TRASH"
	if [ "$MODE" = root ]; then
		rm -rf "$TRASH"/husk/* "$TRASH"/podman/* "$TRASH"/other/*
	else
		# shellcheck disable=SC2016 # $0 is expanded by the inner sh
		[ -z "$(ls -A "$TRASH/husk")" ] || "$HUSK" unshare sh -c 'rm -rf "$0"/*' "$TRASH/husk"
		# shellcheck disable=SC2016
		[ -z "$(ls -A "$TRASH/podman")" ] || podman unshare sh -c 'rm -rf "$0"/*' "$TRASH/podman"
		chmod -R u+rwX "$TRASH/other" 2>/dev/null
		rm -rf "$TRASH"/other/*
	fi
	sync
	if [ "${1:-}" = wait ]; then
		say "waiting 61 s for ext4 to reuse the freed inodes"
		sleep 61
	fi
}
# after a row: empty the trash when it has grown past TRASH_MAX_MB
trash_check() {
	local mb
	mb=$(du -sm "$TRASH" 2>/dev/null | cut -f1)
	[ "${mb:-0}" -gt "$TRASH_MAX_MB" ] && empty_trash wait
	return 0
}

# record ROW TOOL KIND FILE|REASON
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$OUT/index.tsv"; }

# skip ROW TOOL REASON: say it, and keep it in the table
skip() {
	say "$1: $2 skipped: $3"
	record "$1" "$2" skip "$3"
}

# measure ROW TOOL RUNS PREPARE CMD: hyperfine, cold (PREPARE before each run);
# CMD runs in sh unless HF_SHELL names another shell
measure() {
	local row=$1 tool=$2 n=$3 prep=$4 cmd=$5
	local f="$OUT/$row--${tool//[^A-Za-z0-9_.-]/_}.json"
	say "$row: $tool ($n runs): $cmd"
	if hyperfine --runs "$n" --style basic --export-json "$f" --shell "${HF_SHELL:-sh}" \
		--prepare "$prep" "$cmd" >>"$OUT/hyperfine.log" 2>&1; then
		record "$row" "$tool" hyperfine "$f"
	else
		# once more, to keep what the command itself said
		local why
		bash -c "$prep" >/dev/null 2>&1
		why=$("${HF_SHELL:-sh}" -c "$cmd" 2>&1 >/dev/null | tail -n1)
		why=${why:-$(tail -n1 "$OUT/hyperfine.log")}
		say "$row: $tool FAILED: $why"
		record "$row" "$tool" failed "$why"
	fi
}

# measure_rss ROW TOOL PREPARE CMD: one run under bench/peak-rss.py
measure_rss() {
	local row=$1 tool=$2 prep=$3 cmd=$4
	local f="$OUT/$row--${tool//[^A-Za-z0-9_.-]/_}.rss.json"
	say "$row: $tool peak RSS: $cmd"
	bash -c "$prep" >/dev/null 2>&1
	if $PY "$BENCH_DIR/peak-rss.py" --interval 5 --json "$f" -- bash -c "exec $cmd" \
		>>"$OUT/rss.log" 2>&1; then
		record "$row" "$tool" rss "$f"
	else
		record "$row" "$tool" failed "see rss.log"
	fi
}

# --- rows ----------------------------------------------------------------------
# pull_row ROW REF N_FULL N_QUICK: cold pull by husk and by podman
pull_row() {
	local row=$1 ref=$2 n
	n=$(runs "$3" "$4")
	measure "$row" husk "$n" "$HUSK_RESET" "'$HUSK' pull -q --tls-verify=false $ref"
	if have podman; then
		measure "$row" podman "$n" "$PODMAN_RESET" "podman pull -q --tls-verify=false $ref"
	else
		skip "$row" podman "podman not installed"
	fi
}

row_pull_busybox() { pull_row "cold pull busybox (1 layer)" "$REG/husk/busybox:latest" 10 5; }
row_pull_layers() { pull_row "cold pull layers (5 layers)" "$REG/husk/layers:latest" 10 5; }
row_pull_many() { pull_row "cold pull many (65 layers)" "$REG/husk/many:latest" 10 2; }

# debian_row ROW TAG DIGEST DECOMPRESSOR: husk, podman, skopeo+umoci, and a
# shell pipeline doing the same download+decompress+write in one stream
debian_row() {
	local row=$1 tag=$2 digest=$3 dec=$4 n
	n=$(runs 6 2)
	pull_row "$row" "$REG/husk/debian:$tag" 6 2
	if [ "$QUICK" = 1 ]; then
		skip "$row" "skopeo+umoci" "not in a QUICK run"
	elif [ "$tag" = zstd ]; then
		skip "$row" "skopeo+umoci" "umoci cannot unpack zstd layers"
	elif have skopeo && have umoci; then
		local rootless=
		[ "$MODE" = rootless ] && rootless=--rootless
		measure "$row" "skopeo+umoci" "$n" "$(scratch_reset "$WORK/su")" \
			"skopeo copy -q --src-tls-verify=false docker://$REG/husk/debian:$tag oci:$WORK/su/oci:debian && umoci unpack $rootless --image $WORK/su/oci:debian $WORK/su/bundle >/dev/null"
	else
		skip "$row" "skopeo+umoci" "skopeo or umoci not installed"
	fi
	measure "$row" "curl|$dec|tar" "$n" "$(scratch_reset "$WORK/pipe")" \
		"curl -sfL http://$REG/v2/husk/debian/blobs/$digest | $dec -dc | tar -xf - -C $WORK/pipe"
}
row_pull_debian_gzip() { debian_row "cold pull debian:gzip (49 MB)" gzip "$GZ_DIGEST" gzip; }
row_pull_debian_zstd() { debian_row "cold pull debian:zstd (41 MB)" zstd "$ZS_DIGEST" zstd; }

# the floor: each stage of a Debian pull alone (page cache warm)
row_floor_debian() {
	local n
	n=$(runs 10 2)
	measure "floor: download gzip blob" curl "$n" "true" \
		"curl -sfL -o /dev/null http://$REG/v2/husk/debian/blobs/$GZ_DIGEST"
	measure "floor: download zstd blob" curl "$n" "true" \
		"curl -sfL -o /dev/null http://$REG/v2/husk/debian/blobs/$ZS_DIGEST"
	measure "floor: decompress gzip blob" "gzip -dc" "$n" "true" "gzip -dc '$GZ_BLOB' >/dev/null"
	measure "floor: decompress zstd blob" "zstd -dc" "$n" "true" "zstd -dc '$ZS_BLOB' >/dev/null"
	measure "floor: write (tar -x of the layer)" "tar -x" "$n" "$(scratch_reset "$WORK/floor-x")" \
		"tar -xf '$IMG/layer.tar' -C '$WORK/floor-x'"
	# husk syncs each layer before it is committed (crash-safe); so, here
	measure "floor: write, durable (tar -x of the layer, then sync -f)" "tar -x + sync" "$n" \
		"$(scratch_reset "$WORK/floor-x")" \
		"tar -xf '$IMG/layer.tar' -C '$WORK/floor-x' && sync -f '$WORK/floor-x'"
}

# peak memory of a cold pull, summed over the process tree (bench/peak-rss.py)
row_rss_pull() {
	local ref
	local refs="busybox:latest layers:latest debian:gzip debian:zstd"
	[ "$QUICK" = 1 ] && refs="busybox:latest debian:gzip"
	for ref in $refs; do
		measure_rss "peak RSS: pull $ref" husk "$HUSK_RESET" \
			"'$HUSK' pull -q --tls-verify=false $REG/husk/$ref >/dev/null"
	done
	if have podman; then
		measure_rss "peak RSS: pull debian:gzip" podman "$PODMAN_RESET" \
			"podman pull -q --tls-verify=false $REG/husk/debian:gzip >/dev/null"
	else
		skip "peak RSS: pull debian:gzip" podman "podman not installed"
	fi
}

# --- container start ---------------------------------------------------------------
# bundle DIR: an OCI bundle of husk/busybox for crun (rootfs from the
# fixture's layer; crun spec, rootless when we are not root)
make_bundle() {
	local dir=$1 blob
	rm -rf "$dir"
	mkdir -p "$dir/rootfs"
	blob=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["images"]["busybox"]["layers"][0]["digest"][7:])' \
		"$HUSK_FIXTURES/expected.json")
	tar -xzf "$HUSK_FIXTURES/blobs/sha256/$blob" -C "$dir/rootfs" --no-same-owner 2>/dev/null
	(cd "$dir" && if [ "$MODE" = root ]; then crun spec; else crun spec --rootless; fi) || return 1
	# Debian's crun writes null mappings for --rootless: fill them in
	$PY - "$dir/config.json" "$(id -u)" "$(id -g)" <<'PYEOF'
import json, sys
p, uid, gid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = json.load(open(p))
c["process"]["args"] = ["/bin/true"]
c["process"]["terminal"] = False
lx = c["linux"]
if any(n["type"] == "user" for n in lx.get("namespaces", [])):
    lx["uidMappings"] = [{"containerID": 0, "hostID": uid, "size": 1}]
    lx["gidMappings"] = [{"containerID": 0, "hostID": gid, "size": 1}]
json.dump(c, open(p, "w"))
PYEOF
}

# the kernel's floor: user+mount+pid namespaces, /proc, an overlay of the
# same rootfs, chroot, exec true (util-linux, BENCH.md); EXTRA adds
# unshare flags (niu: the network, IPC and UTS namespaces husk also makes)
floor_cmd() {
	local d=$1 x=${2:-} opts
	mkdir -p "$d/u" "$d/w" "$d/m"
	opts="lowerdir=$d/rootfs,upperdir=$d/u,workdir=$d/w"
	if [ "$MODE" = root ]; then
		echo "unshare -mpf$x --mount-proc sh -c 'mount -t overlay overlay -o $opts $d/m && exec /usr/sbin/chroot $d/m /bin/true'"
	else
		echo "unshare -Urmpf$x --mount-proc sh -c 'mount -t overlay overlay -o $opts,userxattr $d/m && exec /usr/sbin/chroot $d/m /bin/true'"
	fi
}

row_run_busybox() {
	local row="warm run --rm --network none busybox true" n ref=$REG/husk/busybox:latest
	n=$(runs 40 15)
	bash -c "$HUSK_RESET" >/dev/null 2>&1
	"$HUSK" pull -q --tls-verify=false "$ref" >/dev/null || { skip "$row" husk "pull failed"; return; }
	"$HUSK" run --rm --network none "$ref" true	# the seccomp cache, once
	measure "$row" husk "$n" true "'$HUSK' run --rm --network none $ref true"
	if have podman && podman pull -q --tls-verify=false "$ref" >/dev/null 2>&1; then
		measure "$row" podman "$n" true "podman run --rm --network=none $ref true"
	else
		skip "$row" podman "podman not installed or cannot pull"
	fi
	if have crun && make_bundle "$WORK/bundle"; then
		measure "$row" "crun (bundle)" "$n" true \
			"crun --root '$WORK/crun-state' run -b '$WORK/bundle' husk-bench"
		measure "$row" "floor" "$n" true "$(floor_cmd "$WORK/bundle")"
		measure "$row" "floor + net/ipc/uts ns" "$n" true "$(floor_cmd "$WORK/bundle" niu)"
	else
		skip "$row" crun "crun not installed"
	fi
}

# memory of the process that stays alive during a foreground run
row_rss_run() {
	local ref=$REG/husk/busybox:latest pid
	"$HUSK" run --rm --network none "$ref" sleep 2 &
	pid=$!
	sleep 1
	say "peak RSS of husk run (parent, while the container sleeps): $(grep VmHWM /proc/$pid/status)"
	record "RSS of the foreground husk run parent (VmHWM, kB)" husk value \
		"$(awk '/VmHWM/ { print $2 }' /proc/$pid/status)"
	wait "$pid"
	# the monitor of a detached container: the parent of its first process
	local id cpid mon
	id=$("$HUSK" run -d --network none "$ref" sh -c 'seq 1 20000; sleep 2') || return
	sleep 1
	cpid=$("$HUSK" inspect -f '{{.State.Pid}}' "$id")
	mon=$(awk '/^PPid/ { print $2 }' "/proc/$cpid/status")
	record "RSS of the run -d monitor (VmHWM, kB)" husk value \
		"$(awk '/VmHWM/ { print $2 }' "/proc/$mon/status")"
	"$HUSK" rm -f "$id" >/dev/null
}

# ensure_image REF: pulled into husk's store and podman's (when there)
ensure_image() {
	"$HUSK" pull -q --tls-verify=false "$1" >/dev/null || return 1
	if have podman; then podman pull -q --tls-verify=false "$1" >/dev/null 2>&1 || true; fi
	"$HUSK" run --rm --network none "$1" true >/dev/null 2>&1	# the seccomp cache
}

# warm_row ROW REF NET: a warm `run --rm REF true` by husk and podman;
# NET is the network flag, empty for the default network
warm_row() {
	local row=$1 ref=$2 net=${3:-} n
	n=$(runs 30 10)
	ensure_image "$ref" || { skip "$row" husk "pull failed"; return; }
	measure "$row" husk "$n" true "'$HUSK' run --rm ${net:+--network $net} $ref true"
	if have podman; then
		local why
		# a network mode this podman lacks (pasta before 4.4) is a skip
		if why=$(podman run --rm ${net:+--network=$net} "$ref" true 2>&1 >/dev/null); then
			measure "$row" podman "$n" true "podman run --rm ${net:+--network=$net} $ref true"
		else
			skip "$row" podman "podman cannot: $(printf '%s' "$why" | tail -n1)"
		fi
	fi
}

# Throughput of a published port: the host sends SIZE MB to 127.0.0.1:PORT,
# forwarded to a container that reads it to /dev/null (busybox nc -ll, one
# dd per connection); a run ends when the container has read everything and
# closed. Rows for husk's default helper and pasta, and podman's default.
port_row() {
	local row=$1 tool=$2 run=$3 net=$4 n mb port id
	n=$(runs 5 2)
	mb=$([ "$QUICK" = 1 ] && echo 64 || echo 512)
	port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	id=$($run run -d ${net:+--network $net} -p "127.0.0.1:$port:5000" "$REG/husk/busybox:latest" \
		nc -ll -p 5000 -e dd of=/dev/null bs=64k 2>"$OUT/port-$tool.log") ||
		{ skip "$row ($mb MB)" "$tool" "cannot start the receiver: $(tail -n1 "$OUT/port-$tool.log")"; return; }
	sleep 0.5	# nc listening in the container
	measure "$row ($mb MB)" "$tool" "$n" true "$PY '$BENCH_DIR/send.py' 127.0.0.1 $port $mb"
	$run rm -f "$id" >/dev/null 2>&1
}

row_port_throughput() {
	local row="send to a published port (-p 127.0.0.1:P:5000)"
	ensure_image "$REG/husk/busybox:latest" || { skip "$row" husk "pull failed"; return; }
	port_row "$row" husk "$HUSK" ""
	have pasta && port_row "$row, --network pasta" husk "$HUSK" pasta
	if have podman; then
		port_row "$row" podman podman ""
		[ "$MODE" = root ] || port_row "$row, --network pasta" podman podman pasta
	fi
}

row_run_default_net() {
	warm_row "warm run --rm busybox true (default network)" "$REG/husk/busybox:latest"
}

row_run_pasta() {
	local row="warm run --rm --network pasta busybox true"
	if have pasta; then
		warm_row "$row" "$REG/husk/busybox:latest" pasta
	else
		skip "warm run --rm --network pasta busybox true" husk "pasta not installed (apt-get install passt)"
	fi
}

# The network helpers' own start-up, as husk drives them: attach to the
# network namespace of a fresh sleeping process (and its user namespace,
# rootless), configure tap0, report ready. Each run gets a new namespace
# (made in the prepare step, which also ends the last run's helper and
# sleeper by pid). slirp4netns is timed until it writes its ready byte
# (--exit-fd on an empty pipe ends it after that); pasta until it forks to
# the background, which it does once ready.
row_net_helpers() {
	local row="network helper alone: attach, configure tap0, ready" n w prep un=-n ns
	n=$(runs 30 10)
	w="$WORK/helpers"
	mkdir -p "$w"
	[ "$MODE" = root ] || un=-Urn
	prep="for f in '$w/pasta.pid' '$w/tgt.pid'; do [ ! -s \$f ] || kill \$(cat \$f) 2>/dev/null; rm -f \$f; done;"
	prep+=" unshare $un sleep 60 </dev/null >/dev/null 2>&1 & echo \$! >'$w/tgt.pid';"
	prep+=" until [ \"\$(cat /proc/\$!/comm 2>/dev/null)\" = sleep ]; do :; done"
	if have slirp4netns; then
		HF_SHELL=bash measure "$row" slirp4netns "$n" "$prep" \
			"[ \"\$( { slirp4netns --configure --mtu=65520 --disable-host-loopback --ready-fd=3 --exit-fd=4 \$(cat '$w/tgt.pid') tap0 3>&1 4< <(:) >/dev/null 2>&1 & } | head -c1)\" = 1 ]"
	else
		skip "$row" slirp4netns "slirp4netns not installed"
	fi
	if have pasta; then
		ns="--netns /proc/self/fd/5 5</proc/\$(cat '$w/tgt.pid')/ns/net"
		[ "$MODE" = root ] || ns+=" --userns /proc/self/fd/6 6</proc/\$(cat '$w/tgt.pid')/ns/user"
		HF_SHELL=bash measure "$row" pasta "$n" "$prep" \
			"pasta --config-net --quiet --runas $(id -u):$(id -g) --ns-ifname tap0 -T none -U none -t none -u none --pid '$w/pasta.pid' $ns"
	else
		skip "$row" pasta "pasta not installed"
	fi
	bash -c "${prep%%unshare*}"
	rm -rf "$w"
}

# Rootless without a subuid range (a single-id user namespace, no pinned
# one): as root, husk runs as nobody, who has no range, with a store and
# runtime directory of its own; setpriv costs about a millisecond.
row_run_nosubuid() {
	local row="warm run --rm busybox true, rootless without a subuid range"
	local n d as ref=$REG/husk/busybox:latest
	if [ "$MODE" != root ]; then
		skip "$row" husk "measured as root (husk then runs as nobody)"
		return
	fi
	if grep -qE '^(nobody|65534):' /etc/subuid /etc/subgid 2>/dev/null; then
		skip "$row" husk "nobody has a subuid range here"
		return
	fi
	n=$(runs 30 10)
	d=$(mktemp -d /tmp/husk-bench-nosub.XXXXXX) || return
	chmod 0755 "$d"
	cp "$WORK"/bin/* "$d/"
	mkdir -m 0700 "$d/home" "$d/run"
	chown 65534:65534 "$d/home" "$d/run"
	as="setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=$d/home XDG_RUNTIME_DIR=$d/run HUSK_ROOT=$d/home/store"
	if $as "$d/husk" pull -q --tls-verify=false "$ref" >/dev/null &&
		$as "$d/husk" run --rm --network none "$ref" true; then
		measure "$row (--network none)" husk "$n" true "$as '$d/husk' run --rm --network none $ref true"
		measure "$row (default network)" husk "$n" true "$as '$d/husk' run --rm $ref true"
	else
		skip "$row" husk "husk cannot run as nobody here"
	fi
	rm -rf "$d"
}

row_run_debian() {
	warm_row "warm run --rm --network none debian true" "$REG/husk/debian:gzip" none
}

# a detached container's whole life, as scripts do it
row_cycle_detached() {
	local row="run -d busybox sleep 1000 + stop -t 0 + rm" n ref=$REG/husk/busybox:latest
	n=$(runs 20 8)
	ensure_image "$ref" || { skip "$row" husk "pull failed"; return; }
	measure "$row" husk "$n" true \
		"id=\$('$HUSK' run -d --network none $ref sleep 1000) && '$HUSK' stop -t 0 \$id >/dev/null && '$HUSK' rm \$id >/dev/null"
	if have podman; then
		measure "$row" podman "$n" true \
			"id=\$(podman run -d --network=none $ref sleep 1000) && podman stop -t 0 \$id >/dev/null && podman rm \$id >/dev/null"
	fi
}

# ps -a with 100 stopped containers present
row_ps_100() {
	local row="ps -a with 100 containers" n ref=$REG/husk/busybox:latest i
	n=$(runs 30 10)
	ensure_image "$ref" || { skip "$row" husk "pull failed"; return; }
	for i in $(seq 100); do "$HUSK" run --network none "$ref" true; done
	measure "$row" husk "$n" true "'$HUSK' ps -a"
	# shellcheck disable=SC2046
	"$HUSK" rm $("$HUSK" ps -aq) >/dev/null
	if have podman; then
		for i in $(seq 100); do podman create --network=none "$ref" true >/dev/null; done
		measure "$row" podman "$n" true "podman ps -a"
		podman rm -a -f >/dev/null 2>&1
	fi
}

# images with 100 names
row_images_100() {
	local row="images with 100 tags" n ref=$REG/husk/busybox:latest i
	n=$(runs 30 10)
	ensure_image "$ref" || { skip "$row" husk "pull failed"; return; }
	for i in $(seq 100); do "$HUSK" tag "$ref" "bench/img$i:latest"; done
	measure "$row" husk "$n" true "'$HUSK' images"
	for i in $(seq 100); do "$HUSK" rmi "bench/img$i:latest" >/dev/null; done
	if have podman; then
		# shellcheck disable=SC2046
		podman tag "$ref" $(printf 'localhost/bench/img%d:latest ' $(seq 100))
		measure "$row" podman "$n" true "podman images"
		# shellcheck disable=SC2046
		podman rmi $(printf 'localhost/bench/img%d:latest ' $(seq 100)) >/dev/null 2>&1
	fi
}

row_parallel_32() {
	local row="32 parallel run --rm busybox sleep 1" n ref=$REG/husk/busybox:latest
	n=$(runs 5 1)
	ensure_image "$ref" || { skip "$row" husk "pull failed"; return; }
	measure "$row" husk "$n" true \
		"for i in \$(seq 32); do '$HUSK' run --rm --network none $ref sleep 1 & done; wait"
	if have podman; then
		measure "$row" podman "$n" true \
			"for i in \$(seq 32); do podman run --rm --network=none $ref sleep 1 >/dev/null & done; wait"
	fi
	# the kernel's floor, 32 at once, each with its own overlay
	if [ -d "$WORK/bundle/rootfs" ] || make_bundle "$WORK/bundle"; then
		local d="$WORK/par" fl=-mpf
		[ "$MODE" = root ] || fl=-Urmpf
		measure "$row" floor "$n" \
			"rm -rf '$d'; for i in \$(seq 32); do mkdir -p '$d'/\$i/u '$d'/\$i/w '$d'/\$i/m; done" \
			"for i in \$(seq 32); do unshare $fl --mount-proc sh -c \"mount -t overlay overlay -o lowerdir=$WORK/bundle/rootfs,upperdir=$d/\$i/u,workdir=$d/\$i/w\$([ $MODE = root ] || echo ,userxattr) $d/\$i/m && exec /usr/sbin/chroot $d/\$i/m /bin/sleep 1\" & done; wait"
	fi
}

# seq_runs LABEL ARGS...: 100 runs in a row; records the median of the
# first ten and of the last ten (no slow-down as state accumulates), and
# every time in $OUT (microseconds, bash's EPOCHREALTIME: no fork to time)
seq_runs() {
	local label=$1 i t0 t1 f
	shift
	f="$OUT/seq-${label//[^A-Za-z0-9]/_}.us"
	: >"$f"
	for i in $(seq 100); do
		t0=${EPOCHREALTIME/./}
		"$HUSK" run "$@"
		t1=${EPOCHREALTIME/./}
		echo "$((t1 - t0))" >>"$f"
	done
	record "$label: median of runs 1-10" husk ms \
		"$(head -n 10 "$f" | sort -n | awk 'NR == 5 || NR == 6 { s += $1 } END { print s / 2000 }')"
	record "$label: median of runs 91-100" husk ms \
		"$(tail -n 10 "$f" | sort -n | awk 'NR == 5 || NR == 6 { s += $1 } END { print s / 2000 }')"
}

# BENCH.md: 100 sequential run --rm, no slow-down from first to last; and
# the same keeping every record (state on disk must not slow the start)
row_sequential_100() {
	local ref=$REG/husk/busybox:latest
	ensure_image "$ref" || { skip "100 sequential runs" husk "pull failed"; return; }
	seq_runs "100 sequential run --rm" --rm --network none "$ref" true
	seq_runs "100 sequential runs (records kept)" --network none "$ref" true
	# shellcheck disable=SC2046
	"$HUSK" rm $("$HUSK" ps -aq) >/dev/null
}

# --- run -------------------------------------------------------------------------
t0=$(date +%s)
for r in $ROWS; do
	if ! declare -F "row_$r" >/dev/null; then
		say "no row $r (rows: ${ALL_ROWS//$'\n'/ })"
		continue
	fi
	rt=$(date +%s)
	"row_$r"
	say "row $r took $(($(date +%s) - rt)) s"
	[ "$COLD" = rm ] || trash_check
done
# leave the stores empty
bash -c "$HUSK_RESET" >/dev/null 2>&1
have podman && bash -c "$PODMAN_RESET" >/dev/null 2>&1
for d in su pipe floor-x; do bash -c "$(scratch_reset "$WORK/$d")" >/dev/null 2>&1; done
empty_trash
rm -rf "$WORK/su" "$WORK/pipe" "$WORK/floor-x" 2>/dev/null

HUSK="$HUSK" MODE="$MODE" QUICK="$QUICK" COLD="$COLD" ELAPSED=$(($(date +%s) - t0)) \
	$PY "$BENCH_DIR/report.py" "$OUT" "$RESULTS/$STAMP.json" "$IMG/info.json"
