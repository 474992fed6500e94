#!/usr/bin/env bats
# Cgroups as root on this machine's real cgroup v1 hierarchies: a cgroup
# per container, limits in the kernel's files, the OOM killer, device
# rules, pause/unpause, stats, update, exec and cleanup. The v2 backend:
# cgroup_v2.root.bats; rootless on v1: cgroup.rootless.bats; bad flags:
# cgroup.bats.

load helpers

setup_file() {
	busybox_store
}

teardown_file() {
	busybox_store_teardown
}

setup() {
	require_registry
}

teardown() {
	local ids
	ids=$("$HUSK" ps -aq 2>/dev/null) || return 0
	# shellcheck disable=SC2086
	[ -z "$ids" ] || "$HUSK" rm -f $ids >/dev/null 2>&1 || true
}

# cg_dir PID CTRL: the v1 directory of PID's cgroup for CTRL
cg_dir() {
	local rel mnt
	rel=$(awk -F: -v c="$2" '$2 == c { print $3 }' "/proc/$1/cgroup")
	mnt=$(awk -v c="$2" '$9 == "cgroup" && $0 ~ ("[ ,]" c "([ ,]|$)") { print $5; exit }' /proc/self/mountinfo)
	[ -n "$rel" ] && [ -n "$mnt" ] || return 1
	echo "$mnt$rel"
}

pid_of() { "$HUSK" inspect -f '{{.State.Pid}}' "$1"; }


@test "each container gets its own cgroup in every hierarchy, below husk's own, gone after it exits" {
	local id pid c own
	id=$("$HUSK" run -d --network none "$I" sleep 100)
	pid=$(pid_of "$id")
	for c in memory pids cpu cpuacct cpuset blkio freezer devices; do
		own=$(awk -F: -v c="$c" '$2 == c { print $3 }' /proc/self/cgroup)
		run awk -F: -v c="$c" '$2 == c { print $3 }' "/proc/$pid/cgroup"
		assert_eq "${own%/}/husk-$id" "$output"
		[ -d "$(cg_dir "$pid" "$c")" ]
	done
	d=$(cg_dir "$pid" memory)
	grep -qx "$pid" "$d/cgroup.procs"
	"$HUSK" stop -t 0 "$id" >/dev/null
	[ ! -e "$d" ]
	# the record no longer names it; start makes it again
	"$HUSK" start "$id" >/dev/null
	pid=$(pid_of "$id")
	[ -d "$(cg_dir "$pid" memory)" ]
	d=$(cg_dir "$pid" pids)
	"$HUSK" rm -f "$id" >/dev/null
	[ ! -e "$d" ]
}

@test "limits land in the v1 files; a missing blkio.weight is a one-line warning" {
	local id pid
	run --separate-stderr "$HUSK" run -d --network none -m 64m --memory-reservation 32m \
		--cpus 0.5 -c 512 --cpuset-cpus 0 --pids-limit 20 --blkio-weight 300 "$I" sleep 100
	[ "$status" -eq 0 ]
	id=$output
	pid=$(pid_of "$id")
	# the weight goes to CFQ's or BFQ's file; with neither (mq-deadline
	# alone), one line says it is ignored
	d=$(cg_dir "$pid" blkio)
	if [ -e "$d/blkio.weight" ] || [ -e "$d/blkio.bfq.weight" ]; then
		assert_eq 300 "$(cat "$d/blkio.weight" 2>/dev/null || cat "$d/blkio.bfq.weight")"
		assert_eq "" "$stderr"
	else
		assert_eq 1 "${#stderr_lines[@]}"
		[[ "$stderr" == "husk: warning: --blkio-weight is ignored"* ]]
	fi
	assert_eq 67108864 "$(cat "$(cg_dir "$pid" memory)/memory.limit_in_bytes")"
	assert_eq 33554432 "$(cat "$(cg_dir "$pid" memory)/memory.soft_limit_in_bytes")"
	assert_eq 50000 "$(cat "$(cg_dir "$pid" cpu)/cpu.cfs_quota_us")"
	assert_eq 100000 "$(cat "$(cg_dir "$pid" cpu)/cpu.cfs_period_us")"
	assert_eq 512 "$(cat "$(cg_dir "$pid" cpu)/cpu.shares")"
	assert_eq 0 "$(cat "$(cg_dir "$pid" cpuset)/cpuset.cpus")"
	assert_eq 20 "$(cat "$(cg_dir "$pid" pids)/pids.max")"
	run "$HUSK" inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.PidsLimit}}' "$id"
	assert_eq "67108864 33554432 500000000 512 0 20" "$output"
	# no limit asked: the kernel's defaults
	id=$("$HUSK" run -d --network none "$I" sleep 100)
	pid=$(pid_of "$id")
	assert_eq max "$(cat "$(cg_dir "$pid" pids)/pids.max")"
	assert_eq -1 "$(cat "$(cg_dir "$pid" cpu)/cpu.cfs_quota_us")"
}

@test "a process over --memory is OOM-killed: exit 137 and State.OOMKilled" {
	run "$HUSK" run --name oom --network none -m 16m "$I" sh -c 'exec tail /dev/zero'
	assert_eq 137 "$status"
	run "$HUSK" inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}} {{.State.Status}}' oom
	assert_eq "true 137 exited" "$output"
	# a kill that is not the OOM killer's is not OOMKilled
	"$HUSK" run -d --name notoom --network none -m 16m "$I" sleep 100 >/dev/null
	"$HUSK" kill notoom >/dev/null
	"$HUSK" wait notoom >/dev/null || true
	run "$HUSK" inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' notoom
	assert_eq "false 137" "$output"
	# and a new start clears it
	run "$HUSK" start -a oom
	run "$HUSK" inspect -f '{{.State.OOMKilled}}' oom
	assert_eq true "$output"
}

@test "--pids-limit makes fork fail inside the container" {
	run "$HUSK" run --rm --network none --pids-limit 4 "$I" sh -c \
		'for i in 1 2 3 4 5 6; do sleep 10 & done; echo forked'
	[ "$status" -ne 0 ]
	[[ "$output" == *"can't fork"* ]]
	[[ "$output" != *forked* ]]
	run "$HUSK" run --rm --network none --pids-limit 20 "$I" sh -c \
		'for i in 1 2 3 4 5 6; do sleep 0.1 & done; wait; echo forked'
	assert_eq 0 "$status"
	assert_eq forked "$output"
}

@test "a default container may mknod a host disk but not read it; --device grants one" {
	local dev maj min
	dev=$(ls /sys/dev/block | head -n1)
	maj=${dev%:*} min=${dev#*:}
	run "$HUSK" run --rm --network none "$I" sh -c \
		"grep CapEff /proc/self/status; mknod /tmp/disk b $maj $min && echo made; head -c 1 /tmp/disk"
	[ "$status" -ne 0 ]
	[[ "$output" == *made* ]]
	[[ "$output" == *"Operation not permitted"* ]]
	# CAP_MKNOD (27) is in the set now the allowlist is in place
	capeff=$(printf '%s\n' "$output" | awk '/CapEff/ { print $2 }')
	(( (0x$capeff >> 27) & 1 ))
	# the allowed ones still work
	run "$HUSK" run --rm --network none "$I" sh -c 'echo x > /dev/null && head -c 3 /dev/zero | wc -c'
	assert_eq 0 "$status"
	assert_eq 3 "$output"
	# --device: the node is made and may be opened as asked (r only)
	[ -b /dev/loop0 ] || skip "no /dev/loop0"
	run "$HUSK" run --rm --network none --device /dev/loop0:/dev/xloop:r "$I" sh -c \
		'ls -l /dev/xloop | cut -c1; dd if=/dev/xloop of=/dev/null count=0 2>/dev/null && echo read; dd if=/dev/zero of=/dev/xloop count=0 2>&1 | grep -c "not permitted"'
	assert_eq 0 "$status"
	assert_eq "b read 1" "$(echo $output)"
	# --privileged: no device rules at all
	run "$HUSK" run --rm --network none --privileged "$I" sh -c \
		'mknod /tmp/l b 7 0 && dd if=/tmp/l of=/dev/null count=0 2>&1 && echo read'
	[[ "$output" == *read* ]]
}

@test "pause freezes every process (a counter stops) and unpause resumes it" {
	local id pid a b
	id=$("$HUSK" run -d --name frz --network none "$I" sh -c \
		'i=0; while :; do i=$((i+1)); echo $i > /tmp/n; done')
	pid=$(pid_of "$id")
	sleep 0.2
	run "$HUSK" pause frz
	assert_eq frz "$output"
	assert_eq FROZEN "$(cat "$(cg_dir "$pid" freezer)/freezer.state")"
	a=$(cat "/proc/$pid/root/tmp/n")
	# frozen between the truncate and the write: the last number is gone
	[ -n "$a" ] || a=0
	sleep 0.3
	b=$(cat "/proc/$pid/root/tmp/n")
	[ -n "$b" ] || b=0
	assert_eq "$a" "$b"
	run "$HUSK" ps --format '{{.Names}} {{.State}} {{.Status}}'
	[[ "$output" == "frz paused Up "*"(Paused)" ]]
	run "$HUSK" inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' frz
	assert_eq "paused true true" "$output"
	run "$HUSK" ps -q --filter status=paused
	assert_eq "${id:0:12}" "$output"
	run --separate-stderr "$HUSK" exec frz true
	assert_eq 125 "$status"
	[[ "$stderr" == *"is paused"* ]]
	run --separate-stderr "$HUSK" pause frz
	assert_eq 125 "$status"
	[[ "$stderr" == *"already paused"* ]]
	run "$HUSK" unpause frz
	assert_eq frz "$output"
	# up to 10 s: on a loaded machine the thawed loop may wait its turn
	for _ in $(seq 100); do
		sleep 0.1
		b=$(cat "/proc/$pid/root/tmp/n")
		[ -n "$b" ] && [ -n "$a" ] && (( b > a )) && break
	done
	[ -n "$b" ] && (( b > a )) || { echo "a=$a b=$b" >&2; false; }
	assert_eq THAWED "$(cat "$(cg_dir "$pid" freezer)/freezer.state")"
	run --separate-stderr "$HUSK" unpause frz
	assert_eq 125 "$status"
	[[ "$stderr" == *"not paused"* ]]
	# stop of a paused container works (it is thawed)
	"$HUSK" pause frz >/dev/null
	run "$HUSK" stop -t 1 frz
	assert_eq 0 "$status"
	run "$HUSK" inspect -f '{{.State.Status}} {{.State.Paused}}' frz
	assert_eq "exited false" "$output"
}

@test "stats reads the real numbers: memory, limit, CPU, tasks" {
	"$HUSK" run -d --name st --network none -m 256m "$I" sh -c \
		'head -c 41943040 /dev/zero > /dev/shm/f; sleep 100 & sleep 100 & while :; do :; done' >/dev/null
	sleep 1
	run "$HUSK" stats --no-stream --format '{{.Name}}|{{.MemUsage}}|{{.PIDs}}|{{.CPUPerc}}|{{.MemPerc}}' st
	assert_eq 0 "$status"
	IFS='|' read -r name mem pids cpu memp <<<"$output"
	assert_eq st "$name"
	[[ "$mem" == *"MiB / 256MiB" ]]
	used=${mem%%MiB*}
	(( ${used%.*} >= 39 ))
	assert_eq 3 "$pids"
	(( ${cpu%%.*} >= 20 ))
	(( ${memp%%.*} >= 15 ))
	run "$HUSK" stats --no-stream st
	[[ "${lines[0]}" == "CONTAINER ID"*"NAME"*"CPU %"*"MEM USAGE / LIMIT"*"MEM %"*"NET I/O"*"BLOCK I/O"*"PIDS" ]]
	run "$HUSK" stats --no-stream --format json st
	echo "$output" | $PY -c 'import json,sys; d=json.loads(sys.stdin.read()); assert d["Name"]=="st" and d["PIDs"]=="3", d'
}

@test "update changes a running container's cgroup and its next start" {
	local id pid
	id=$("$HUSK" run -d --name up --network none -m 64m --pids-limit 10 "$I" sleep 100)
	pid=$(pid_of "$id")
	run "$HUSK" update -m 128m --pids-limit 30 --cpus 1.5 up
	assert_eq 0 "$status"
	assert_eq up "$output"
	assert_eq 134217728 "$(cat "$(cg_dir "$pid" memory)/memory.limit_in_bytes")"
	assert_eq 30 "$(cat "$(cg_dir "$pid" pids)/pids.max")"
	assert_eq 150000 "$(cat "$(cg_dir "$pid" cpu)/cpu.cfs_quota_us")"
	run "$HUSK" inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}' up
	assert_eq "134217728 30 1500000000" "$output"
	# lowering under what is in use is the kernel's to refuse; lowering
	# otherwise works
	run "$HUSK" update -m 32m up
	assert_eq 0 "$status"
	assert_eq 33554432 "$(cat "$(cg_dir "$pid" memory)/memory.limit_in_bytes")"
	"$HUSK" restart -t 0 up >/dev/null
	pid=$(pid_of up)
	assert_eq 33554432 "$(cat "$(cg_dir "$pid" memory)/memory.limit_in_bytes")"
	assert_eq 30 "$(cat "$(cg_dir "$pid" pids)/pids.max")"
	# bad values are refused before anything changes
	run --separate-stderr "$HUSK" update --pids-limit x up
	assert_eq 125 "$status"
	assert_eq 30 "$(cat "$(cg_dir "$pid" pids)/pids.max")"
	run --separate-stderr "$HUSK" update up
	assert_eq 125 "$status"
	[[ "$stderr" == *"at least one limit"* ]]
	run --separate-stderr "$HUSK" update -m 64m nosuchctr
	assert_eq 125 "$status"
	[[ "$stderr" == *"nosuchctr"* ]]
}

@test "exec joins the container's cgroup" {
	local id
	id=$("$HUSK" run -d --network none "$I" sleep 100)
	run "$HUSK" exec "$id" cat /proc/self/cgroup
	assert_eq 0 "$status"
	[[ "$output" == *"4:memory:"*"/husk-$id"* || "$output" == *":memory:"*"/husk-$id"* ]]
	[[ "$output" == *":pids:/"*"husk-$id"* ]]
}

@test "a cgroup left by a killed monitor is removed by rm" {
	local id pid mon d
	id=$("$HUSK" run -d --network none "$I" sleep 100)
	pid=$(pid_of "$id")
	d=$(cg_dir "$pid" pids)
	mon=$(awk '{ print $4 }' "/proc/$pid/stat")
	kill -9 "$mon"
	for _ in $(seq 50); do dead "$pid" && break; sleep 0.1; done
	dead "$pid"
	[ -d "$d" ]
	"$HUSK" rm "$id" >/dev/null
	[ ! -e "$d" ]
}

@test "--cgroup-parent, --cgroups=disabled and --cgroupns" {
	local id pid own p=huskt-$$ c
	own=$(awk -F: '$2 == "pids" { print $3 }' /proc/self/cgroup)
	id=$("$HUSK" run -d --network none --cgroup-parent "$p" "$I" sleep 100)
	pid=$(pid_of "$id")
	run awk -F: '$2 == "pids" { print $3 }' "/proc/$pid/cgroup"
	assert_eq "${own%/}/$p/husk-$id" "$output"
	run "$HUSK" inspect -f '{{.HostConfig.CgroupParent}}' "$id"
	assert_eq "$p" "$output"
	"$HUSK" rm -f "$id" >/dev/null
	# the parent husk made stays (docker too); the test removes it
	for c in memory pids cpu cpuacct cpuset blkio freezer devices; do
		rmdir "$(cg_dir $$ "$c")/$p" 2>/dev/null || true
		[ ! -e "$(cg_dir $$ "$c")/$p" ]
	done
	# disabled: the caller's cgroup
	run "$HUSK" run --rm --network none --cgroups disabled "$I" cat /proc/self/cgroup
	assert_eq 0 "$status"
	[[ "$output" != *husk-* ]]
	# cgroupns: host (v1's default) shows the path, private hides it
	run "$HUSK" run --rm --network none "$I" sh -c 'grep ":pids:" /proc/self/cgroup'
	[[ "$output" == *":pids:"*"/husk-"* ]]
	run "$HUSK" run --rm --network none --cgroupns private "$I" sh -c 'grep ":pids:" /proc/self/cgroup'
	assert_eq "8:pids:/" "$output"
}

