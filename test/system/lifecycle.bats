#!/usr/bin/env bats
# The container lifecycle without a daemon: run -d and its monitor, ps,
# logs, stop, kill, rm, start, restart, wait, exec, inspect, rename,
# container prune, and what happens when several husks race or one is
# killed half-way. As root and rootless.
#
# One store per file (setup_file): busybox is pulled once. Every test
# removes its containers afterwards (teardown), so `ps` shows only the
# test's own.

load helpers

setup_file() {
	busybox_store
}

teardown_file() {
	[ -d "${HUSK_ROOT:-/nonexistent}" ] || return 0
	# shellcheck disable=SC2046
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1 || true
	if ! is_root; then
		"$HUSK" unshare rm -rf "$HUSK_ROOT"
	fi
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

# ms: the time in milliseconds
ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# rd ARGS...: `husk run -d ARGS`, the id in $cid (fails the test otherwise)
rd() {
	cid=$("$HUSK" run -d "$@")
	[[ "$cid" =~ ^[0-9a-f]{64}$ ]] || {
		echo "run -d $*: printed '$cid'" >&2
		return 1
	}
}

# ins C TEMPLATE: inspect -f
ins() {
	"$HUSK" inspect -f "$2" "$1"
}

# cpid C: the host pid of C's first process
cpid() {
	ins "$1" '{{.State.Pid}}'
}

# wait_state C STATUS: up to 10 s for C's State.Status to be STATUS
wait_state() {
	local i s
	for i in $(seq 100); do
		s=$(ins "$1" '{{.State.Status}}' 2>/dev/null || true)
		[ "$s" = "$2" ] && return 0
		sleep 0.1
	done
	echo "container $1 is '$s', not '$2'" >&2
	return 1
}

# wait_log C TEXT: up to 10 s for C's log to contain TEXT
wait_log() {
	local i
	for i in $(seq 100); do
		"$HUSK" logs "$1" 2>&1 | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	echo "the log of $1 never had '$2':" >&2
	"$HUSK" logs "$1" >&2
	return 1
}



# field FILE KEY: the value of KEY: in /proc/PID/status form
field() {
	awk -v k="$2:" '$1 == k { print $2 }' "$1"
}

# ps_status NAME: the STATUS column of container NAME (ps -a)
ps_status() {
	"$HUSK" ps -a --filter "name=$1" --format '{{.Names}}|{{.Status}}' |
		awk -F'|' -v n="$1" '$1 == n { print $2 }'
}

# ---- run -d and the monitor ------------------------------------------------

@test "run -d: prints the id and returns; the container runs under a small husk-monitor" {
	run --separate-stderr "$HUSK" run -d "$I" sleep 100
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	local id=$output
	[ -d "$HUSK_ROOT/containers/$id" ]

	# a generated name, adjective_noun
	local name
	name=$(ins "$id" '{{.Name}}')
	[[ "$name" =~ ^/[a-z]+_[a-z]+[0-9]*$ ]]
	assert_eq running "$(ins "$id" '{{.State.Status}}')"
	assert_eq true "$(ins "$id" '{{.State.Running}}')"

	local pid mon
	pid=$(cpid "$id")
	[ "$pid" -gt 0 ]
	assert_eq sleep "$(cat "/proc/$pid/comm")"
	mon=$(field "/proc/$pid/status" PPid)
	assert_eq husk-monitor "$(cat "/proc/$mon/comm")"
	local rss
	rss=$(field "/proc/$mon/status" VmRSS)
	echo "monitor RSS: $rss kB"
	[ "$rss" -lt 3072 ]
}

@test "run -d: a missing command is 127, a non-executable one 126, with docker's message" {
	run --separate-stderr "$HUSK" run -d --name nocmd "$I" nosuch
	[ "$status" -eq 127 ]
	assert_eq "husk: cannot run container 'nocmd': 'nosuch': executable file not found in \$PATH" "$stderr"
	[ -z "$output" ]
	run --separate-stderr "$HUSK" run -d --name noexec "$I" /etc/passwd
	[ "$status" -eq 126 ]
	[[ "$stderr" == "husk: cannot run container 'noexec': "* ]]
	[ -z "$output" ]
}

@test "run -d: a name in use is 125 naming its owner; invalid names are 125" {
	rd --name taken "$I" sleep 100
	run --separate-stderr "$HUSK" run -d --name taken "$I" true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"the container name 'taken' is already in use by container '$cid'"* ]]
	[ -z "$output" ]
	# the first owner is untouched
	assert_eq running "$(ins taken '{{.State.Status}}')"
	assert_eq "$cid" "$(ins taken '{{.Id}}')"

	local bad
	for bad in -bad a/b 'a b' '.x'; do
		run --separate-stderr "$HUSK" run -d --name "$bad" "$I" true
		echo "name '$bad': $status $stderr"
		[ "$status" -eq 125 ]
		[[ "$stderr" == husk:* ]]
		[ -z "$output" ]
	done
	# nothing was left behind by the refused runs
	assert_eq 1 "$("$HUSK" ps -aq | wc -l)"
}

@test "run: a foreground container keeps its record (Exited (N)); --rm leaves none" {
	run "$HUSK" run --name fg "$I" sh -c 'echo hi; exit 3'
	[ "$status" -eq 3 ]
	assert_eq hi "$output"
	[[ "$(ps_status fg)" =~ ^Exited\ \(3\)\ (Less\ than\ a\ second|[0-9]+\ seconds?)\ ago$ ]]
	assert_eq exited "$(ins fg '{{.State.Status}}')"
	assert_eq 3 "$(ins fg '{{.State.ExitCode}}')"
	# not running: absent from ps without -a
	[ -z "$("$HUSK" ps -q)" ]

	run "$HUSK" run --rm --name fgrm "$I" sh -c 'exit 4'
	[ "$status" -eq 4 ]
	[ -z "$("$HUSK" ps -a --filter name=fgrm -q)" ]
	run "$HUSK" inspect fgrm
	[ "$status" -eq 125 ]
	assert_eq 1 "$("$HUSK" ps -aq | wc -l)"
}

@test "run -d --rm: the record goes when the container exits" {
	rd --rm --name autorm "$I" sh -c 'sleep 0.5'
	assert_eq true "$(ins autorm '{{.HostConfig.AutoRemove}}')"
	local i
	for i in $(seq 100); do
		[ -d "$HUSK_ROOT/containers/$cid" ] || break
		sleep 0.1
	done
	[ ! -d "$HUSK_ROOT/containers/$cid" ]
	[ -z "$("$HUSK" ps -aq)" ]
}

# ---- ps ------------------------------------------------------------------------

@test "ps: docker's table, aligned, with 12-hex ids, quoted and cut commands, Up/Exited/Created" {
	# columns are aligned in characters (… is one), as Go's tabwriter does
	export LC_ALL=C.UTF-8
	rd --name ps-up "$I" sh -c 'while :; do sleep 1; done'
	local up=$cid
	rd --name ps-ex "$I" sh -c 'exit 3'
	local ex=$cid
	run "$HUSK" wait ps-ex
	"$HUSK" run -d --name ps-cr "$I" nosuch 2>/dev/null || true

	run "$HUSK" ps
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	local hdr=${lines[0]}
	[[ "$hdr" =~ ^CONTAINER\ ID\ \ \ IMAGE\ +COMMAND\ +CREATED\ +STATUS\ +PORTS\ +NAMES$ ]]
	local row=${lines[1]}
	assert_eq "${up:0:12}   " "${row:0:15}"
	# every column starts where its heading does
	local off
	off=$(awk -v h="$hdr" 'BEGIN { print index(h, "IMAGE") - 1 }')
	[[ "${row:$off}" == "$I "* ]]
	off=$(awk -v h="$hdr" 'BEGIN { print index(h, "COMMAND") - 1 }')
	# docker cuts the command to 20 characters, then quotes it
	local q='sh -c while :; do sleep 1; done'
	[[ "${row:$off}" == "\"${q:0:19}…\"   "* ]]
	off=$(awk -v h="$hdr" 'BEGIN { print index(h, "STATUS") - 1 }')
	[[ "${row:$off}" =~ ^Up\ (Less\ than\ a\ second|[0-9]+\ seconds?)\ \ \  ]]
	off=$(awk -v h="$hdr" 'BEGIN { print index(h, "NAMES") - 1 }')
	assert_eq ps-up "${row:$off}"

	run "$HUSK" ps -a
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	off=$(awk -v h="${lines[0]}" 'BEGIN { print index(h, "STATUS") - 1 }')
	local l found=0
	for l in "${lines[@]:1}"; do
		case "$l" in
		"${ex:0:12}"*)
			[[ "${l:$off}" =~ ^Exited\ \(3\)\ (Less\ than\ a\ second|[0-9]+\ seconds?)\ ago\ \ \  ]]
			found=$((found + 1)) ;;
		*ps-cr)
			[[ "${l:$off}" =~ ^Created\ \ \  ]]
			found=$((found + 1)) ;;
		esac
	done
	[ "$found" -eq 2 ]
	# a short command is quoted whole
	run "$HUSK" ps -a --filter name=ps-ex --format '{{.Command}}'
	assert_eq '"sh -c exit 3"' "$output"
}

@test "ps: -q, --no-trunc, -n, -l" {
	rd --name q1 "$I" sleep 100
	local a=$cid
	rd --name q2 "$I" true
	local b=$cid
	run "$HUSK" wait q2
	rd --name q3 "$I" sleep 100
	local c=$cid

	run "$HUSK" ps -q
	[ "$status" -eq 0 ]
	assert_eq "$(printf '%s\n' "${c:0:12}" "${a:0:12}")" "$output"
	run "$HUSK" ps -aq --no-trunc
	assert_eq "$(printf '%s\n' "$c" "$b" "$a")" "$output"
	run "$HUSK" ps --no-trunc --format '{{.ID}}' --filter name=q1
	assert_eq "$a" "$output"
	# -n N and -l: the newest, running or not
	run "$HUSK" ps -n 2 -q
	assert_eq "$(printf '%s\n' "${c:0:12}" "${b:0:12}")" "$output"
	run "$HUSK" ps -l --format '{{.Names}}'
	assert_eq q3 "$output"
	"$HUSK" stop -t 0 q3 >/dev/null
	run "$HUSK" ps -l --format '{{.Names}} {{.State}}'
	assert_eq "q3 exited" "$output"
}

@test "ps --filter: status, name, label, id, ancestor, exited; a bad key is 125" {
	rd --name f-run -l tier=web -l solo "$I" sleep 100
	local r=$cid
	rd --name f-ex3 -l tier=db "$I" sh -c 'exit 3'
	local x=$cid
	run "$HUSK" wait f-ex3
	"$HUSK" run -d --name f-cr "$I" nosuch 2>/dev/null || true

	local n='{{.Names}}'
	assert_eq f-run "$("$HUSK" ps -a --filter status=running --format "$n")"
	assert_eq f-ex3 "$("$HUSK" ps -a --filter status=exited --format "$n")"
	assert_eq f-cr "$("$HUSK" ps -a --filter status=created --format "$n")"
	assert_eq f-ex3 "$("$HUSK" ps -a --filter exited=3 --format "$n")"
	[ -z "$("$HUSK" ps -a --filter exited=4 --format "$n")" ]
	assert_eq f-run "$("$HUSK" ps -a --filter label=solo --format "$n")"
	assert_eq f-run "$("$HUSK" ps -a --filter label=tier=web --format "$n")"
	[ -z "$("$HUSK" ps -a --filter label=tier=none --format "$n")" ]
	assert_eq "$(printf 'f-ex3\nf-run')" "$("$HUSK" ps -a --filter label=tier --format "$n")"
	assert_eq f-ex3 "$("$HUSK" ps -a --filter "id=${x:0:7}" --format "$n")"
	assert_eq f-run "$("$HUSK" ps -a --filter "id=$r" --format "$n")"
	assert_eq "$(printf 'f-cr\nf-ex3\nf-run')" \
		"$("$HUSK" ps -a --filter "ancestor=$I" --format "$n")"
	[ -z "$("$HUSK" ps -a --filter ancestor=nosuch/image --format "$n")" ]
	assert_eq "f-ex3" "$("$HUSK" ps -a --filter name=ex3 --format "$n")"
	# two filters on different keys: both must hold
	assert_eq f-run "$("$HUSK" ps -a --filter label=tier --filter status=running --format "$n")"
	# without -a, only running ones even with a filter
	[ -z "$("$HUSK" ps --filter name=f-ex3 --format "$n")" ]

	run --separate-stderr "$HUSK" ps --filter nope=1
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"invalid filter"* ]]
	run --separate-stderr "$HUSK" ps --filter status=sleepy
	[ "$status" -eq 125 ]
}

@test "ps --format: json lines, templates, table templates; bad ones are 125" {
	rd --name fj -l a=b "$I" sleep 100
	run "$HUSK" ps --format json
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	assert_eq '["Command","CreatedAt","ID","Image","Labels","LocalVolumes","Mounts","Names","Networks","Ports","RunningFor","Size","State","Status"]' \
		"$(jq -c 'keys' <<<"$output")"
	assert_eq "${cid:0:12}|fj|running|$I" \
		"$(jq -r '[.ID, .Names, .State, .Image] | join("|")' <<<"$output")"
	# the image's labels and the container's, k=v joined by commas
	assert_eq "a=b,org.husk.fixture=busybox" \
		"$(jq -r '.Labels | split(",") | sort | join(",")' <<<"$output")"
	[[ "$(jq -r .Status <<<"$output")" == Up* ]]

	rd --name fj2 "$I" sleep 100
	run "$HUSK" ps --format '{{.Names}} {{.State}}'
	assert_eq "$(printf 'fj2 running\nfj running')" "$output"
	run "$HUSK" ps --format 'table {{.ID}}\t{{.Names}}'
	[ "$status" -eq 0 ]
	assert_eq "CONTAINER ID   NAMES" "${lines[0]}"
	assert_eq "${cid:0:12}   fj2" "${lines[1]}"
	[ "${#lines[@]}" -eq 3 ]
	run "$HUSK" ps --format '{{json .Names}}' --filter name=fj2
	assert_eq '"fj2"' "$output"

	run --separate-stderr "$HUSK" ps --format '{{.Names'
	[ "$status" -eq 125 ]
	[[ "$stderr" == husk:* ]]
	run --separate-stderr "$HUSK" ps --format '{{.Nope}}'
	[ "$status" -eq 125 ]
	[[ "$stderr" == husk:* ]]
	[ -z "$output" ]
}

# ---- logs ----------------------------------------------------------------------

@test "logs: stdout and stderr apart, in order; a last line without newline; --tail; -t" {
	rd --name lg "$I" sh -c 'echo o1; echo e1 >&2; echo o2; echo e2 >&2; echo o3; printf nonl'
	run "$HUSK" wait lg
	run --separate-stderr "$HUSK" logs lg
	[ "$status" -eq 0 ]
	assert_eq "$(printf 'o1\no2\no3\nnonl')" "$output"
	assert_eq "$(printf 'e1\ne2')" "$stderr"

	# --tail counts the lines of both streams (their order between the
	# two is whatever the monitor read first)
	run --separate-stderr "$HUSK" logs --tail 1 lg
	assert_eq nonl "$output"
	[ -z "$stderr" ]
	run "$HUSK" logs --tail 3 lg
	[ "${#lines[@]}" -eq 3 ]
	assert_eq nonl "${lines[2]}"
	run --separate-stderr "$HUSK" logs --tail all lg
	assert_eq "$(printf 'o1\no2\no3\nnonl')" "$output"
	run --separate-stderr "$HUSK" logs -t lg
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	local l
	for l in "${lines[@]}"; do
		[[ "$l" =~ ^20[0-9-]+T[0-9:.]+Z\ (o1|o2|o3|nonl)$ ]]
	done
	[[ "$stderr" =~ ^20[0-9-]+T[0-9:.]+Z\ e1 ]]

	run --separate-stderr "$HUSK" logs nosuch
	[ "$status" -eq 125 ]
	assert_eq "husk: no such container 'nosuch'" "$stderr"
}

@test "logs: 20000 quick lines are all there, in order; --tail 3" {
	rd --name many "$I" seq 1 20000
	run "$HUSK" wait many
	assert_eq 0 "$output"
	"$HUSK" logs many >"$BATS_TEST_TMPDIR/out"
	seq 1 20000 | cmp - "$BATS_TEST_TMPDIR/out"
	run "$HUSK" logs --tail 3 many
	assert_eq "$(printf '19998\n19999\n20000')" "$output"
}

@test "logs --since/--until: by the records' own times" {
	rd --name tm "$I" sh -c 'echo a; sleep 0.3; echo b; sleep 0.3; echo c'
	run "$HUSK" wait tm
	run "$HUSK" logs -t tm
	[ "${#lines[@]}" -eq 3 ]
	local tb=${lines[1]%% *}
	run "$HUSK" logs --since "$tb" tm
	assert_eq "$(printf 'b\nc')" "$output"
	run "$HUSK" logs --until "$tb" tm
	assert_eq a "$output"
	run "$HUSK" logs --since 1h tm
	assert_eq "$(printf 'a\nb\nc')" "$output"
	run "$HUSK" logs --since 2100-01-01T00:00:00Z tm
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run --separate-stderr "$HUSK" logs --since yesterday-ish tm
	[ "$status" -eq 125 ]
}

@test "logs -f: lines as they come, returns when the container exits" {
	rd --name fol "$I" sh -c 'echo a; sleep 1; echo b; sleep 1; echo c'
	local out=$BATS_TEST_TMPDIR/follow t0
	t0=$(ms)
	"$HUSK" logs -f fol >"$out" 2>&1 &
	local lp=$!
	local i
	for i in $(seq 50); do
		grep -qx a "$out" && break
		sleep 0.1
	done
	grep -qx a "$out"
	[ -z "$(grep -x c "$out")" ]
	# it returns by itself once the container is gone
	for i in $(seq 80); do
		dead "$lp" && break
		sleep 0.1
	done
	if ! dead "$lp"; then
		kill "$lp"
		echo "logs -f still runs after the container exited" >&2
		false
	fi
	wait "$lp"
	assert_eq "$(printf 'a\nb\nc')" "$(cat "$out")"
	[ $(($(ms) - t0)) -ge 1500 ]
}

@test "logs --log-opt max-size: the log is bounded to two files" {
	rd --name rot --log-opt max-size=1k "$I" sh -c \
		'i=0; while [ $i -lt 400 ]; do echo line$i; i=$((i+1)); done'
	run "$HUSK" wait rot
	local d=$HUSK_ROOT/containers/$cid
	[ -f "$d/ctr.log" ]
	[ -f "$d/ctr.log.1" ]
	[ ! -e "$d/ctr.log.2" ]
	local sz
	for sz in $(stat -c %s "$d/ctr.log" "$d/ctr.log.1"); do
		echo "size $sz"
		[ "$sz" -le 1124 ]
	done
	run "$HUSK" logs rot
	[ "$status" -eq 0 ]
	assert_eq line399 "${lines[-1]}"
	[ "${#lines[@]}" -lt 400 ]
	[ "${#lines[@]}" -gt 10 ]
	# what is left is the end, without holes
	local first=${lines[0]#line} i
	for i in "${!lines[@]}"; do
		assert_eq "line$((first + i))" "${lines[$i]}"
	done
}

# ---- stop, kill ----------------------------------------------------------------

@test "stop: SIGKILL after -t for a PID 1 that ignores SIGTERM (137); a trap exits at once" {
	rd --name st1 "$I" sleep 100
	local pid t0 dt
	pid=$(cpid st1)
	t0=$(ms)
	run --separate-stderr "$HUSK" stop -t 1 st1
	dt=$(($(ms) - t0))
	echo "stop took $dt ms"
	[ "$status" -eq 0 ]
	assert_eq st1 "$output"
	[ "$dt" -ge 1000 ]
	[ "$dt" -lt 5000 ]
	dead "$pid"
	assert_eq "exited 137 false" "$(ins st1 '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}')"
	# stopping a stopped container is fine
	run "$HUSK" stop st1
	[ "$status" -eq 0 ]
	assert_eq st1 "$output"

	rd --name st7 "$I" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
	t0=$(ms)
	run "$HUSK" stop -t 5 "${cid:0:12}"
	dt=$(($(ms) - t0))
	echo "stop took $dt ms"
	[ "$status" -eq 0 ]
	assert_eq "${cid:0:12}" "$output"
	[ "$dt" -lt 3000 ]
	assert_eq "exited 7" "$(ins st7 '{{.State.Status}} {{.State.ExitCode}}')"
}

@test "stop: --stop-signal and --stop-timeout of run are used" {
	rd --name ss --stop-signal USR1 "$I" sh -c 'trap "exit 9" USR1; while :; do sleep 0.1; done'
	local t0 dt
	t0=$(ms)
	run "$HUSK" stop ss
	dt=$(($(ms) - t0))
	[ "$status" -eq 0 ]
	[ "$dt" -lt 3000 ]
	assert_eq 9 "$(ins ss '{{.State.ExitCode}}')"

	rd --name sto --stop-timeout 1 "$I" sleep 100
	t0=$(ms)
	run "$HUSK" stop sto
	dt=$(($(ms) - t0))
	echo "stop took $dt ms"
	[ "$status" -eq 0 ]
	[ "$dt" -ge 1000 ]
	[ "$dt" -lt 5000 ]
	assert_eq 137 "$(ins sto '{{.State.ExitCode}}')"
}

@test "kill: SIGKILL by default, -s delivers a signal; a stopped container or a bad signal is 125" {
	rd --name k1 "$I" sh -c 'trap "echo got-usr1" USR1; trap "echo got-usr2" USR2; while :; do sleep 0.1; done'
	run "$HUSK" kill -s USR1 k1
	[ "$status" -eq 0 ]
	assert_eq k1 "$output"
	wait_log k1 got-usr1
	run "$HUSK" kill -s SIGUSR2 k1
	[ "$status" -eq 0 ]
	wait_log k1 got-usr2
	assert_eq running "$(ins k1 '{{.State.Status}}')"

	run --separate-stderr "$HUSK" kill -s NOSUCHSIG k1
	[ "$status" -eq 125 ]
	assert_eq running "$(ins k1 '{{.State.Status}}')"

	local pid
	pid=$(cpid k1)
	run "$HUSK" kill k1
	[ "$status" -eq 0 ]
	assert_eq k1 "$output"
	run "$HUSK" wait k1
	assert_eq 137 "$output"
	dead "$pid"

	run --separate-stderr "$HUSK" kill k1
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"is not running"* ]]
}

# ---- rm, prune -----------------------------------------------------------------

@test "rm: a running container needs -f, which is fast; the directory and the name are freed" {
	rd --name r1 "$I" sleep 100
	local id=$cid pid
	pid=$(cpid r1)
	run --separate-stderr "$HUSK" rm r1
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"container is running"* ]]
	assert_eq running "$(ins r1 '{{.State.Status}}')"

	local t0 dt
	t0=$(ms)
	run --separate-stderr "$HUSK" rm -f r1
	dt=$(($(ms) - t0))
	echo "rm -f took $dt ms"
	[ "$status" -eq 0 ]
	assert_eq r1 "$output"
	[ "$dt" -lt 2000 ]
	dead "$pid"
	[ ! -e "$HUSK_ROOT/containers/$id" ]
	[ -z "$("$HUSK" ps -aq)" ]
	run --separate-stderr "$HUSK" inspect r1
	[ "$status" -eq 125 ]

	# the name is free again
	rd --name r1 "$I" true
	[ "$cid" != "$id" ]
	run "$HUSK" wait r1
	run "$HUSK" rm -v r1
	[ "$status" -eq 0 ]
	assert_eq r1 "$output"
	[ ! -e "$HUSK_ROOT/containers/$cid" ]

	run --separate-stderr "$HUSK" rm nosuch
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"no such container"* ]]
}

@test "rm \$(ps -aq) removes every stopped container; container ls -a is ps -a" {
	local i ids=()
	for i in 1 2 3; do
		"$HUSK" run --name "all$i" "$I" true
		ids+=("$("$HUSK" inspect -f '{{.Id}}' "all$i")")
	done
	local f='{{.ID}} {{.Names}} {{.State}}'
	assert_eq "$("$HUSK" ps -a --format "$f")" "$("$HUSK" container ls -a --format "$f")"
	# (column widths follow the times, which may tick between the two)
	assert_eq "$("$HUSK" ps -a | head -1 | tr -s ' ')" \
		"$("$HUSK" container ls -a | head -1 | tr -s ' ')"
	assert_eq "$("$HUSK" ps -aq)" "$("$HUSK" container ls -aq)"
	assert_eq 3 "$("$HUSK" container ls -aq | wc -l)"
	# shellcheck disable=SC2046
	run "$HUSK" rm $("$HUSK" ps -aq)
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ -z "$("$HUSK" ps -aq)" ]
	for i in "${ids[@]}"; do
		[ ! -e "$HUSK_ROOT/containers/$i" ]
	done
}

@test "container prune: removes what does not run, prints the ids" {
	rd --name keep "$I" sleep 100
	local keep=$cid
	"$HUSK" run --name gone1 "$I" true
	rd --name gone2 "$I" sh -c 'exit 2'
	local g2=$cid
	run "$HUSK" wait gone2
	local g1
	g1=$(ins gone1 '{{.Id}}')

	run "$HUSK" container prune
	[ "$status" -eq 0 ]
	assert_eq "Deleted Containers:" "${lines[0]}"
	local got
	got=$(printf '%s\n' "${lines[@]:1}" | grep -E '^[0-9a-f]{64}$' | sort)
	assert_eq "$(printf '%s\n' "$g1" "$g2" | sort)" "$got"
	assert_eq "${keep:0:12}" "$("$HUSK" ps -aq)"
	[ ! -e "$HUSK_ROOT/containers/$g1" ]
	[ ! -e "$HUSK_ROOT/containers/$g2" ]
	[ -d "$HUSK_ROOT/containers/$keep" ]
}

# ---- start, restart, wait --------------------------------------------------------

@test "start -a: the same writable layer again; start prints the name and runs it" {
	run "$HUSK" run --name s "$I" sh -c 'echo x >> /f; cat /f'
	[ "$status" -eq 0 ]
	assert_eq x "$output"
	local id
	id=$(ins s '{{.Id}}')
	run "$HUSK" start -a s
	[ "$status" -eq 0 ]
	assert_eq "$(printf 'x\nx')" "$output"
	assert_eq "$id" "$(ins s '{{.Id}}')"
	run "$HUSK" start -a s
	assert_eq "$(printf 'x\nx\nx')" "$output"

	rd --name sd "$I" sleep 100
	local pid1
	pid1=$(cpid sd)
	"$HUSK" stop -t 0 sd >/dev/null
	run "$HUSK" start sd
	[ "$status" -eq 0 ]
	assert_eq sd "$output"
	assert_eq running "$(ins sd '{{.State.Status}}')"
	local pid2
	pid2=$(cpid sd)
	[ "$pid2" != "$pid1" ]
	assert_eq sleep "$(cat "/proc/$pid2/comm")"
	assert_eq sd "$("$HUSK" ps --format '{{.Names}}')"
	# a running container: start is a no-op that still succeeds
	run "$HUSK" start sd
	[ "$status" -eq 0 ]
	assert_eq "$pid2" "$(cpid sd)"
}

@test "start: the exit code of start -a is the container's" {
	run "$HUSK" run --name s5 "$I" sh -c 'exit 5'
	[ "$status" -eq 5 ]
	run "$HUSK" start -a s5
	[ "$status" -eq 5 ]
	assert_eq 5 "$(ins s5 '{{.State.ExitCode}}')"
}

@test "restart: a running container runs again with a new process" {
	rd --name rs "$I" sh -c 'echo started; trap "exit 0" TERM; while :; do sleep 0.1; done'
	local pid1 at1
	pid1=$(cpid rs)
	at1=$(ins rs '{{.State.StartedAt}}')
	run "$HUSK" restart -t 1 rs
	[ "$status" -eq 0 ]
	assert_eq rs "$output"
	wait_state rs running
	local pid2
	pid2=$(cpid rs)
	[ "$pid2" != "$pid1" ]
	dead "$pid1"
	[ "$(ins rs '{{.State.StartedAt}}')" != "$at1" ]
	wait_log rs started
	# both runs wrote to the same log
	for i in $(seq 50); do
		[ "$("$HUSK" logs rs | grep -c started)" -eq 2 ] && break
		sleep 0.1
	done
	assert_eq 2 "$("$HUSK" logs rs | grep -c started)"
}

@test "wait: blocks until the exit, prints the code, and exits with it" {
	rd --name w1 "$I" sh -c 'sleep 1; exit 3'
	local t0 dt
	t0=$(ms)
	run "$HUSK" wait w1
	dt=$(($(ms) - t0))
	[ "$status" -eq 3 ]
	assert_eq 3 "$output"
	[ "$dt" -ge 500 ]
	rd --name w2 "$I" sh -c 'exit 0'
	run "$HUSK" wait w1 w2
	[ "$status" -eq 0 ]
	assert_eq "$(printf '3\n0')" "$output"
	run "$HUSK" wait w2 w1
	[ "$status" -eq 3 ]
	run --separate-stderr "$HUSK" wait nosuch
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"no such container"* ]]
}

@test "wait: a detached --rm container's status, though its record is gone" {
	local id
	id=$("$HUSK" run -d --rm "$I" sh -c 'sleep 1; exit 9')
	run "$HUSK" wait "$id"
	[ "$status" -eq 9 ]
	assert_eq 9 "$output"
	[ ! -e "$HUSK_ROOT/containers/$id" ]
}

# ---- exec ------------------------------------------------------------------------

@test "exec: the container's namespaces, hostname, files and environment" {
	rd --name ex -e FOO=bar -e KEEP=1 "$I" sh -c 'echo here > /marker; while :; do sleep 1; done'
	local pid ns
	pid=$(cpid ex)
	for ns in pid mnt net uts ipc; do
		run --separate-stderr "$HUSK" exec ex readlink "/proc/self/ns/$ns"
		[ "$status" -eq 0 ]
		assert_eq "$(readlink "/proc/$pid/ns/$ns")" "$output"
	done
	# the host's are different: the container has its own
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
	run "$HUSK" exec ex hostname
	assert_eq "${cid:0:12}" "$output"
	run "$HUSK" exec ex cat /marker
	assert_eq here "$output"
	run "$HUSK" exec -e FOO=over -e NEW=x ex env
	assert_eq FOO=over "$(grep '^FOO=' <<<"$output")"
	assert_eq KEEP=1 "$(grep '^KEEP=' <<<"$output")"
	assert_eq NEW=x "$(grep '^NEW=' <<<"$output")"
	grep -q '^PATH=/' <<<"$output"
	run "$HUSK" exec ex sh -c 'echo $FOO'
	assert_eq bar "$output"
	# the container's PID 1 is in sight
	run "$HUSK" exec ex cat /proc/1/comm
	assert_eq sh "$output"
	run "$HUSK" exec -w /tmp ex pwd
	assert_eq /tmp "$output"
	# -i passes stdin; without it stdin is empty
	run "$HUSK" exec -i ex cat <<<"in-put"
	assert_eq in-put "$output"
	run "$HUSK" exec ex cat <<<"in-put"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "exec -t: a terminal in the container; without -t none" {
	require_cmd script
	rd --name ext "$I" sleep 100
	run script -qec "'$HUSK' exec -t ext sh -c 'test -t 0 && echo in-tty; test -t 1 && echo out-tty; tty'" /dev/null </dev/null
	[ "$status" -eq 0 ]
	output=$(tr -d '\r' <<<"$output")
	[[ "$(echo $output)" =~ ^in-tty\ out-tty\ /dev/pts/[0-9]+$ ]]
	run "$HUSK" exec ext tty
	[ "$status" -eq 1 ]
	assert_eq "not a tty" "$output"
	# the exit status comes through the terminal too
	run script -qec "'$HUSK' exec -t ext sh -c 'exit 6'" /dev/null </dev/null
	[ "$status" -eq 6 ]
}

@test "exec: the container's capabilities and seccomp; -u drops them" {
	rd --name exc "$I" sleep 100
	local pid
	pid=$(cpid exc)
	run "$HUSK" exec exc grep CapEff /proc/self/status
	assert_eq "$(grep CapEff "/proc/$pid/status")" "$output"
	run "$HUSK" exec exc grep -E '^Seccomp:' /proc/self/status
	assert_eq "Seccomp:	2" "$output"
	run "$HUSK" exec exc id -u
	assert_eq 0 "$output"
	run "$HUSK" exec -u 1000 exc sh -c 'id -u; grep -E "^Cap(Eff|Prm):" /proc/self/status'
	assert_eq "$(printf '1000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000')" "$output"
	run "$HUSK" exec -u 1000:1000 exc id -g
	assert_eq 1000 "$output"
}

@test "exec: exit status relayed; 127 for a missing command; 125 when not running; -d" {
	rd --name exs "$I" sleep 100
	run "$HUSK" exec exs sh -c 'exit 5'
	[ "$status" -eq 5 ]
	run --separate-stderr "$HUSK" exec exs sh -c 'echo out; echo err >&2'
	assert_eq out "$output"
	assert_eq err "$stderr"
	run --separate-stderr "$HUSK" exec exs nosuch
	[ "$status" -eq 127 ]
	[[ "$stderr" == husk:*nosuch* ]]

	local t0 dt
	t0=$(ms)
	run "$HUSK" exec -d exs sh -c 'sleep 1; echo done > /tmp/dd'
	dt=$(($(ms) - t0))
	[ "$status" -eq 0 ]
	[ "$dt" -lt 1000 ]
	run "$HUSK" exec exs cat /tmp/dd
	[ "$status" -ne 0 ]
	local i
	for i in $(seq 50); do
		run "$HUSK" exec exs cat /tmp/dd
		[ "$status" -eq 0 ] && break
		sleep 0.1
	done
	assert_eq done "$output"

	"$HUSK" stop -t 0 exs >/dev/null
	run --separate-stderr "$HUSK" exec exs true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"not running"* ]]
	run --separate-stderr "$HUSK" exec nosuch true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"no such container"* ]]
}

# ---- inspect, names --------------------------------------------------------------

@test "inspect: docker's fields" {
	mkdir "$BATS_TEST_TMPDIR/vol"
	rd --name insp -l k=v -l a=b -e E1=x -w /tmp --stop-signal SIGUSR1 \
		-v "$BATS_TEST_TMPDIR/vol:/data" -v "$BATS_TEST_TMPDIR/vol:/ro:ro" \
		"$I" sleep 100
	run --separate-stderr "$HUSK" inspect insp
	[ "$status" -eq 0 ]
	local j=$output
	assert_eq 1 "$(jq length <<<"$j")"
	jq -e --arg id "$cid" --arg img "$I" '.[0] |
		.Id == $id and .Name == "/insp" and
		.Path == "sleep" and .Args == ["100"] and
		(.Created | test("^20[0-9-]+T[0-9:.]+Z$")) and
		.State.Status == "running" and .State.Running == true and
		.State.Paused == false and .State.OOMKilled == false and
		.State.ExitCode == 0 and .State.Pid > 0 and
		(.State.StartedAt | test("^20")) and (.State | has("FinishedAt")) and
		(.State | has("Error")) and
		(.Image | test("^sha256:[0-9a-f]{64}$")) and
		.Config.Image == $img and .Config.Cmd == ["sleep", "100"] and
		(.Config | has("Entrypoint")) and
		(.Config.Env | index("E1=x") != null) and
		.Config.WorkingDir == "/tmp" and
		.Config.Labels == {"k": "v", "a": "b", "org.husk.fixture": "busybox"} and
		.Config.Hostname == ($id[0:12]) and .Config.Tty == false and
		(.Config.StopSignal | test("USR1")) and (.Config | has("User")) and
		.HostConfig.AutoRemove == false and (.HostConfig.Binds | length) == 2 and
		(.HostConfig | has("NetworkMode")) and .HostConfig.Privileged == false and
		(.HostConfig.LogConfig | type) == "object" and
		(.NetworkSettings | type) == "object" and (.GraphDriver | type) == "object"
	' <<<"$j"
	jq -e --arg src "$BATS_TEST_TMPDIR/vol" '.[0].Mounts | sort_by(.Destination) |
		length == 2 and
		.[0].Type == "bind" and .[0].Source == $src and .[0].Destination == "/data" and .[0].RW == true and
		.[1].Type == "bind" and .[1].Source == $src and .[1].Destination == "/ro" and .[1].RW == false
	' <<<"$j"
	# the Image is the image's id
	assert_eq "$("$HUSK" inspect --type image -f '{{.Id}}' "$I")" "$(jq -r '.[0].Image' <<<"$j")"
	# the pid is the container's
	assert_eq sleep "$(cat "/proc/$(jq -r '.[0].State.Pid' <<<"$j")/comm")"

	rd --name insp2 --rm "$I" sleep 100
	run "$HUSK" inspect insp insp2
	assert_eq "/insp /insp2" "$(jq -r 'map(.Name) | join(" ")' <<<"$output")"
	assert_eq true "$(ins insp2 '{{.HostConfig.AutoRemove}}')"
}

@test "inspect -f: fields, json, index, range, if, len; bad templates are 125" {
	rd --name tpl -l k=v -l a=b -v "$BATS_TEST_TMPDIR:/m1" -v "$BATS_TEST_TMPDIR:/m2" \
		"$I" sh -c 'sleep 100'
	assert_eq running "$(ins tpl '{{.State.Status}}')"
	# the image's label too, keys sorted as Go's encoding/json does
	assert_eq '{"a":"b","k":"v","org.husk.fixture":"busybox"}' "$(ins tpl '{{json .Config.Labels}}')"
	assert_eq v "$(ins tpl '{{index .Config.Labels "k"}}')"
	assert_eq "/m1 /m2 " "$(ins tpl '{{range .Mounts}}{{.Destination}} {{end}}')"
	assert_eq up "$(ins tpl '{{if .State.Running}}up{{else}}down{{end}}')"
	assert_eq 2 "$(ins tpl '{{len .Args}}')"
	assert_eq "/tpl $cid" "$(ins tpl '{{.Name}} {{.Id}}')"
	"$HUSK" kill tpl >/dev/null
	"$HUSK" wait tpl >/dev/null || true
	assert_eq down "$(ins tpl '{{if .State.Running}}up{{else}}down{{end}}')"

	run --separate-stderr "$HUSK" inspect -f '{{.Nope}}' tpl
	[ "$status" -eq 125 ]
	[[ "$stderr" == husk:* ]]
	run --separate-stderr "$HUSK" inspect -f '{{.State' tpl
	[ "$status" -eq 125 ]
	[[ "$stderr" == husk:* ]]
}

@test "inspect: images by name, --type; nosuch is 125" {
	run --separate-stderr "$HUSK" inspect --type image "$I"
	[ "$status" -eq 0 ]
	jq -e '.[0].Id | test("^sha256:[0-9a-f]{64}$")' <<<"$output"
	run --separate-stderr "$HUSK" inspect "$I"
	[ "$status" -eq 0 ]
	jq -e '.[0].Id | test("^sha256:[0-9a-f]{64}$")' <<<"$output"

	rd --name ti "$I" sleep 100
	run --separate-stderr "$HUSK" inspect --type container ti
	[ "$status" -eq 0 ]
	assert_eq "$cid" "$(jq -r '.[0].Id' <<<"$output")"
	run --separate-stderr "$HUSK" inspect --type image ti
	[ "$status" -eq 125 ]
	run --separate-stderr "$HUSK" inspect --type container "$I"
	[ "$status" -eq 125 ]
	run --separate-stderr "$HUSK" inspect nosuch
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"no such"* ]]
	[[ "$stderr" == *nosuch* ]]
}

@test "names: the full id, a unique prefix or the name; rename" {
	rd --name nm "$I" sleep 100
	local id=$cid
	assert_eq /nm "$(ins "$id" '{{.Name}}')"
	assert_eq /nm "$(ins "${id:0:5}" '{{.Name}}')"
	assert_eq /nm "$(ins "${id:0:12}" '{{.Name}}')"
	run "$HUSK" rename nm nm2
	[ "$status" -eq 0 ]
	assert_eq /nm2 "$(ins nm2 '{{.Name}}')"
	assert_eq "$id" "$(ins nm2 '{{.Id}}')"
	run --separate-stderr "$HUSK" inspect nm
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"no such"* ]]
	assert_eq nm2 "$("$HUSK" ps --format '{{.Names}}')"
	# the old name is free, the new one is not
	rd --name nm "$I" sleep 100
	run --separate-stderr "$HUSK" rename nm nm2
	[ "$status" -eq 125 ]
	[[ "$stderr" == *nm2* ]]
	assert_eq /nm "$(ins "$cid" '{{.Name}}')"
	run --separate-stderr "$HUSK" rename nosuch x
	[ "$status" -eq 125 ]
	run --separate-stderr "$HUSK" rename nm 'bad/name'
	[ "$status" -eq 125 ]
	# the renamed container still works by every handle
	run "$HUSK" stop -t 0 "${id:0:8}" nm2
	[ "$status" -eq 0 ]
	assert_eq "$(printf '%s\n' "${id:0:8}" nm2)" "$output"
	assert_eq exited "$(ins nm2 '{{.State.Status}}')"
}

# ---- races and crashes -------------------------------------------------------------

@test "run -d: 20 at once get distinct ids and names, all in ps" {
	local d=$BATS_TEST_TMPDIR i
	for i in $(seq 20); do
		"$HUSK" run -d "$I" sleep 100 >"$d/id$i" 2>"$d/err$i" &
	done
	wait
	cat "$d"/err* >&2
	for i in $(seq 20); do
		[[ "$(cat "$d/id$i")" =~ ^[0-9a-f]{64}$ ]]
	done
	assert_eq 20 "$(cat "$d"/id* | sort -u | wc -l)"
	run "$HUSK" ps --no-trunc --format '{{.ID}} {{.Names}} {{.State}}'
	[ "${#lines[@]}" -eq 20 ]
	assert_eq "$(cat "$d"/id* | sort)" "$(printf '%s\n' "${lines[@]}" | cut -d' ' -f1 | sort)"
	assert_eq 20 "$(printf '%s\n' "${lines[@]}" | cut -d' ' -f2 | sort -u | wc -l)"
	assert_eq 20 "$(printf '%s\n' "${lines[@]}" | grep -c ' running$')"
	local t0
	t0=$(ms)
	# shellcheck disable=SC2046
	"$HUSK" rm -f $("$HUSK" ps -q) >/dev/null
	echo "rm -f of 20 took $(($(ms) - t0)) ms"
	[ -z "$("$HUSK" ps -aq)" ]
}

@test "a monitor killed with SIGKILL: the container dies, ps shows Exited (137), rm works" {
	rd --name mk "$I" sleep 100
	local pid mon
	pid=$(cpid mk)
	mon=$(field "/proc/$pid/status" PPid)
	assert_eq husk-monitor "$(cat "/proc/$mon/comm")"
	kill -9 "$mon"
	local i
	for i in $(seq 50); do
		dead "$pid" && break
		sleep 0.1
	done
	dead "$pid"
	[[ "$(ps_status mk)" == "Exited (137) "* ]]
	assert_eq "exited 137" "$(ins mk '{{.State.Status}} {{.State.ExitCode}}')"
	[ -z "$("$HUSK" ps -q)" ]
	run "$HUSK" rm mk
	[ "$status" -eq 0 ]
	[ ! -e "$HUSK_ROOT/containers/$cid" ]
}

@test "rm -f and start of one container at once: it ends gone or whole" {
	local n
	for n in 1 2 3; do
		"$HUSK" run --name "race$n" "$I" true
		local id
		id=$("$HUSK" inspect -f '{{.Id}}' "race$n")
		"$HUSK" rm -f "race$n" >"$BATS_TEST_TMPDIR/rm.out" 2>&1 &
		local p1=$!
		"$HUSK" start "race$n" >"$BATS_TEST_TMPDIR/start.out" 2>&1 &
		local p2=$!
		wait "$p1" || true
		wait "$p2" || true
		cat "$BATS_TEST_TMPDIR/rm.out" "$BATS_TEST_TMPDIR/start.out"
		if "$HUSK" ps -aq --no-trunc | grep -qx "$id"; then
			[ -d "$HUSK_ROOT/containers/$id" ]
			local st
			st=$("$HUSK" inspect -f '{{.State.Status}}' "$id")
			[[ "$st" == running || "$st" == exited ]]
			"$HUSK" rm -f "$id"
		fi
		[ ! -e "$HUSK_ROOT/containers/$id" ]
		[ -z "$(find "$HUSK_ROOT/containers" -maxdepth 1 -name '.rm-*')" ]
		# the name is free again
		"$HUSK" run --rm --name "race$n" "$I" true
	done
}

@test "rm killed half-way: the next rm finishes the job" {
	run "$HUSK" run --name big "$I" sh -c \
		'mkdir /d; cd /d; i=0; while [ $i -lt 20000 ]; do : > f$i; i=$((i+1)); done'
	[ "$status" -eq 0 ]
	local id
	id=$(ins big '{{.Id}}')
	"$HUSK" rm big >/dev/null 2>&1 &
	local p=$!
	sleep 0.05
	kill -9 "$p" 2>/dev/null || true
	wait "$p" || true
	run --separate-stderr "$HUSK" rm big
	echo "second rm: $status $output $stderr"
	[ "$status" -eq 0 ] || [[ "$stderr" == *"no such container"* ]]
	run "$HUSK" container prune
	[ "$status" -eq 0 ]
	run ls -A "$HUSK_ROOT/containers"
	echo "$output"
	[[ "$output" != *"$id"* ]]
	[ -z "$("$HUSK" ps -aq)" ]
	# the name is free
	"$HUSK" run --rm --name big "$I" true
}

@test "bad records: a damaged state.json shows as Dead and rm removes it; a damaged config.json fails start with a clear error" {
	local id id2
	"$HUSK" run --name broken "$I" true
	id=$("$HUSK" ps -aq --no-trunc --filter name=broken)
	[ ${#id} -eq 64 ]
	printf '{"id": 12, "status":' >"$HUSK_ROOT/containers/$id/state.json"
	run --separate-stderr "$HUSK" ps -a --format '{{.ID}} {{.State}} {{.Status}}'
	[ "$status" -eq 0 ]
	assert_eq "${id:0:12} dead Dead" "$output"
	run --separate-stderr "$HUSK" inspect -f '{{.State.Status}} {{.State.Error}}' "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == "dead its record is damaged: "* ]]
	run --separate-stderr "$HUSK" start "$id"
	[ "$status" -eq 125 ]
	run --separate-stderr "$HUSK" rm "$id"
	[ "$status" -eq 0 ]
	[ ! -e "$HUSK_ROOT/containers/$id" ]
	# the name it had is free again
	"$HUSK" run --name broken "$I" true
	id2=$("$HUSK" ps -aq --no-trunc --filter name=broken)
	echo 'not json' >"$HUSK_ROOT/containers/$id2/config.json"
	run --separate-stderr "$HUSK" start -a broken
	[ "$status" -eq 125 ]
	assert_eq "husk: cannot start container 'broken': container 'broken': malformed config.json" "$stderr"
	run "$HUSK" inspect -f '{{.State.Status}}' broken
	assert_eq exited "$output"
}

@test "bad flags of the lifecycle commands: one line naming the value, 125, nothing created" {
	local before
	before=$(ls "$HUSK_ROOT/containers")
	# bad "ARGS..." "EXPECTED STDERR": 125 and exactly that line first
	bad() {
		local want=$1
		shift
		run --separate-stderr "$HUSK" "$@"
		[ "$status" -eq 125 ] || { echo "status $status for $*"; return 1; }
		assert_eq "$want" "${stderr_lines[0]}"
	}
	bad "husk: invalid --log-opt 'max-size=12q': max-size must be a size of at least 1k" \
		run -d --log-opt max-size=12q "$I" true
	bad "husk: invalid --log-opt 'max-size=10': max-size must be a size of at least 1k" \
		run -d --log-opt max-size=10 "$I" true
	bad "husk: invalid --log-opt 'mode=fast': husk knows max-size=N" run -d --log-opt mode=fast "$I" true
	bad "husk: invalid --stop-signal 'SIGNOPE'" run -d --stop-signal SIGNOPE "$I" true
	bad "husk: invalid --stop-timeout 'soon': seconds expected" run -d --stop-timeout soon "$I" true
	bad "husk: invalid label '=v'" run -d -l =v "$I" true
	bad "husk: invalid --tail 'x': a number or 'all' expected" logs --tail x c
	bad "husk: invalid --since 'later': a time (RFC 3339, Unix seconds) or a duration expected" logs --since later c
	bad "husk: logs needs one container" logs
	bad "husk: invalid --time '-1': seconds expected" stop -t -1 c
	bad "husk: stop needs at least one container" stop
	bad "husk: invalid signal 'SIGFOO'" kill -s SIGFOO c
	bad "husk: invalid --last 'x'" ps -n x
	bad "husk: invalid filter 'nope'" ps --filter nope=1
	bad "husk: invalid filter 'status': KEY=VALUE expected" ps --filter status
	bad "husk: ps takes no arguments" ps extra
	bad "husk: invalid --type 'network': container, image or volume expected" inspect --type network x
	bad "husk: the working directory 'rel' is not absolute" exec -w rel c true
	bad "husk: exec needs a container and a command" exec c
	bad "husk: rename needs a container and a new name" rename c
	bad "husk: invalid container name 'a/b': only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed" rename c a/b
	bad "husk: start -a takes one container" start -a a b
	bad "husk: unknown command 'container frob'" container frob
	bad "husk: prune takes no arguments" container prune x
	# and nothing was created by any of them
	assert_eq "$before" "$(ls "$HUSK_ROOT/containers")"
}

@test "run -d with fuse-overlayfs: the rootfs is served while it runs, the daemon goes when it stops" {
	require_cmd fuse-overlayfs
	local i
	HUSK_OVERLAY=fuse-overlayfs "$HUSK" run -d --name fz "$I" sh -c 'echo hi > /new; while :; do sleep 1; done' >/dev/null
	run --separate-stderr "$HUSK" exec fz sh -c 'grep " / " /proc/mounts | cut -d" " -f3; cat /new'
	[ "$status" -eq 0 ]
	assert_eq "fuse.fuse-overlayfs" "${lines[0]}"
	assert_eq hi "${lines[1]}"
	pgrep -f "fuse-overlayfs -f -o lowerdir=$HUSK_ROOT" >/dev/null
	"$HUSK" stop -t 0 fz >/dev/null
	for i in $(seq 50); do
		pgrep -f "fuse-overlayfs -f -o lowerdir=$HUSK_ROOT" >/dev/null || break
		sleep 0.1
	done
	! pgrep -f "fuse-overlayfs -f -o lowerdir=$HUSK_ROOT" >/dev/null
	# its writable layer is kept for the next start (the kernel's overlay)
	run "$HUSK" start fz
	[ "$status" -eq 0 ]
	run "$HUSK" exec fz cat /new
	assert_eq hi "$output"
}
