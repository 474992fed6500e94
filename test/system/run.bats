#!/usr/bin/env bats
# husk run: exit codes, signals, namespaces, capabilities, seccomp, users,
# environment, mounts, terminals and cleanup, as root and rootless. Where
# the two differ, each asserts its own right answer (is_root).
#
# One store per file (setup_file): busybox and two small images built here
# on top of it (test/helpers/layer_push.py) are pulled once.

load helpers

setup_file() {
	export HUSK_ROOT="$BATS_FILE_TMPDIR/root"
	export HUSK_RUNROOT="$BATS_FILE_TMPDIR/run"
	[ -n "${HUSK_REG_PLAIN:-}" ] || return 0
	export I="$HUSK_REG_PLAIN/husk/busybox"
	export X="$HUSK_REG_PLAIN/husk/run-extra"
	export EP="$HUSK_REG_PLAIN/husk/run-extra:ep"
	# host directories an image symlink points at: a mount must never
	# land there (OUT also exists inside the image, OUT2 does not)
	OUT=$(mktemp -d /tmp/husk-outside.XXXXXX)
	OUT2=$(mktemp -d /tmp/husk-outside2.XXXXXX)
	export OUT OUT2
	local showid="$HUSK_SRC/${O:-build}/test/helpers/showid"
	[ -x "$showid" ] || {
		echo "# $showid missing (make unit builds it)" >&3
		return 1
	}
	"$PY" "$HUSK_SRC/test/helpers/layer_push.py" "$HUSK_REG_PLAIN" husk/busybox husk/run-extra \
		"f:showid=$showid:4755:0:0" d:srv d:srv/app t:srv/app/marker=hello \
		"d:${OUT#/}" "l:evil-abs=$OUT" \
		"l:evil-rel=../../../../../../../../../../../../../../..$OUT" \
		"l:evil-dangling=$OUT2" \
		--config 'WorkingDir="/srv/app"' >/dev/null
	"$PY" "$HUSK_SRC/test/helpers/layer_push.py" "$HUSK_REG_PLAIN" husk/busybox husk/run-extra:ep \
		--config 'Entrypoint=["/bin/echo","from-ep"]' --config 'Cmd=["default-cmd"]' >/dev/null
	"$HUSK" pull -q "$I" >/dev/null
	"$HUSK" pull -q "$X" >/dev/null
	"$HUSK" pull -q "$EP" >/dev/null
}

teardown_file() {
	if [ -d "$HUSK_ROOT" ] && ! is_root; then
		"$HUSK" unshare rm -rf "$HUSK_ROOT"
	fi
	rm -rf "${OUT:-/nonexistent}" "${OUT2:-/nonexistent}"
}

setup() {
	require_registry
}

teardown() {
	# a test's own store or bind directories may hold subordinate ids
	if ! is_root && [ -n "$(ls -A "$BATS_TEST_TMPDIR" 2>/dev/null)" ]; then
		"$HUSK" unshare rm -rf "$BATS_TEST_TMPDIR"/* 2>/dev/null || true
	fi
}

# hr ARGS...: `husk run --rm ARGS`, stdout and stderr apart
hr() {
	run --separate-stderr "$HUSK" run --rm "$@"
}

# caps_of ARGS...: the container's capability sets, NoNewPrivs and Seccomp
# from /proc/self/status, on one line
caps_of() {
	"$HUSK" run --rm "$@" sh -c 'grep -E "^(CapPrm|CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status | tr -d "\t" | tr "\n" " "'
}

# pid_of PATTERN: the host pid of the process whose command line starts
# with PATTERN (waits up to 10 s for it)
pid_of() {
	local i p
	for i in $(seq 100); do
		# the oldest: a shell's fork before its exec has the same line
		p=$(pgrep -o -f "^$1" || true)
		if [ -n "$p" ]; then
			echo "$p"
			return 0
		fi
		sleep 0.1
	done
	echo "no process '$1'" >&2
	return 1
}


# ---- exit codes ------------------------------------------------------------

@test "run: the command's own exit status is husk's" {
	hr "$I" true
	[ "$status" -eq 0 ]
	hr "$I" false
	[ "$status" -eq 1 ]
	hr "$I" sh -c 'exit 42'
	[ "$status" -eq 42 ]
	[ -z "$stderr" ]
}

@test "run: a directory or a file without the exec bit is 126" {
	hr "$I" /bin
	[ "$status" -eq 126 ]
	[[ "$stderr" == "husk: cannot run container '"*"': cannot execute '/bin': permission denied" ]]
	hr "$I" /etc/passwd
	[ "$status" -eq 126 ]
	[[ "$stderr" == *"cannot execute '/etc/passwd': permission denied" ]]
	assert_eq 1 "${#stderr_lines[@]}"
}

@test "run: an unknown command is 127" {
	run -127 --separate-stderr "$HUSK" run --rm "$I" nosuchcmd
	[[ "$stderr" == "husk: cannot run container '"*"': 'nosuchcmd': executable file not found in \$PATH" ]]
	run -127 --separate-stderr "$HUSK" run --rm "$I" /no/such/path
	[[ "$stderr" == *"'/no/such/path': no such file or directory" ]]
}

@test "run: husk's own failures are 125" {
	hr --bogus "$I" true
	[ "$status" -eq 125 ]
	[[ "${stderr_lines[0]}" == "husk: unknown option '--bogus'" ]]
	hr
	[ "$status" -eq 125 ]
	hr --pull never "$HUSK_REG_PLAIN/husk/nosuchimage" true
	[ "$status" -eq 125 ]
	assert_eq "husk: cannot run '$HUSK_REG_PLAIN/husk/nosuchimage': no such image" "$stderr"
}

@test "run: a container killed by SIGKILL from inside is 137 (PID 1 itself is immune, as in docker)" {
	hr --init "$I" sh -c 'kill -9 $$; echo survived'
	[ "$status" -eq 137 ]
	[ -z "$output" ]
	# the kernel ignores SIGKILL sent to a namespace's init from inside it
	hr "$I" sh -c 'kill -9 $$; echo survived'
	[ "$status" -eq 0 ]
	assert_eq survived "$output"
}

@test "run: SIGTERM to husk reaches the container: --init's child dies, 143" {
	local out="$BATS_TEST_TMPDIR/out" p rc=0 t0 n
	# a duration no other process on the machine uses
	n="20.$$$RANDOM"
	"$HUSK" run --rm --init "$I" sleep "$n" >"$out" 2>&1 3>&- &
	p=$!
	# init's child (sleep) is running once init has its handlers
	pid_of "sleep $n\$" >/dev/null
	t0=$SECONDS
	kill -TERM "$p"
	wait "$p" || rc=$?
	assert_eq 143 "$rc"
	[ $((SECONDS - t0)) -lt 10 ]
	assert_eq "" "$(cat "$out")"
}

@test "run: with --init the container ends when its command does" {
	# as docker's tini: a background process does not keep it alive
	local t0=$SECONDS
	hr --init "$I" sh -c 'sleep 8 & echo main-done'
	[ "$status" -eq 0 ]
	assert_eq main-done "$output"
	[ $((SECONDS - t0)) -lt 5 ]
	hr --init "$I" sh -c 'sleep 8 & exit 3'
	[ "$status" -eq 3 ]
	[ $((SECONDS - t0)) -lt 5 ]
}

@test "run: TERM, INT, HUP and USR1 are forwarded to a trapping PID 1" {
	local d="$BATS_TEST_TMPDIR/m" sig p rc
	mkdir -p "$d"
	for sig in TERM INT HUP USR1; do
		rm -f "$d"/*
		# default dispositions: a background job of a script ignores INT
		env --default-signal "$HUSK" run --rm -v "$d:/m" "$I" sh -c \
			"trap 'echo got-$sig > /m/got; exit 7' $sig; touch /m/ready; while :; do sleep 0.1; done" \
			>/dev/null 2>&1 3>&- &
		p=$!
		wait_for "$d/ready"
		kill -s "$sig" "$p"
		rc=0
		wait "$p" || rc=$?
		assert_eq 7 "$rc"
		assert_eq "got-$sig" "$(cat "$d/got")"
	done
}

@test "run: signals the caller ignores are not ignored in the container" {
	# nohup and script background jobs start husk with HUP/INT ignored;
	# docker's containers never inherit that (a trap could not catch them)
	run bash -c 'trap "" HUP INT QUIT; exec "$0" run --rm "$1" grep -E "^Sig(Ign|Blk):" /proc/self/status' "$HUSK" "$I"
	[ "$status" -eq 0 ]
	assert_eq "SigBlk:	0000000000000000" "${lines[0]}"
	assert_eq "SigIgn:	0000000000000000" "${lines[1]}"
}

# ---- namespaces ------------------------------------------------------------

@test "run: the container has its own PID namespace" {
	hr "$I" sh -c 'echo $$'
	assert_eq 1 "$output"
	# only the container's processes: ps itself is PID 1 (sh exec'd it)
	hr "$I" ps -o pid,args
	assert_eq 2 "${#lines[@]}"
	[[ "${lines[1]}" =~ ^\ +1\ ps\ -o\ pid,args$ ]]
	# the test's own pid is not there
	[ -e "/proc/$$" ]
	hr "$I" sh -c 'test -e /proc/$0 && echo host-pid-visible; exec ls -d /proc/[0-9]*' "$$"
	[ "$status" -eq 0 ]
	assert_eq /proc/1 "$output"
}

@test "run: --init makes /dev/init PID 1 and it reaps orphans" {
	hr --init "$I" sh -c 'tr "\0" " " </proc/1/cmdline; echo; echo $$; (sleep 0.1 &); sleep 0.8; ps -o stat,args'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "/dev/init -- sh -c "* ]]
	assert_eq 2 "${lines[1]}"
	# the orphaned sleep was reaped: no zombie
	run grep -c '^Z' <<<"$output"
	assert_eq 0 "$output"
}

@test "run: --network none has only lo; the default private network lo and tap0" {
	hr --network none "$I" ls /sys/class/net
	[ "$status" -eq 0 ]
	assert_eq lo "$output"
	hr "$I" ls /sys/class/net
	assert_eq "lo tap0" "$(echo $output)"
	# lo is up (IFF_UP)
	hr --network private "$I" cat /sys/class/net/lo/flags
	[[ "$output" == 0x* ]]
	[ $((output & 1)) -eq 1 ]
}

@test "run: --network host sees the host's interfaces" {
	hr --network host "$I" ls /sys/class/net
	[ "$status" -eq 0 ]
	assert_eq "$(ls /sys/class/net | sort)" "$(sort <<<"$output")"
	[ "${#lines[@]}" -gt 1 ]
}

@test "run: UTS: HOSTNAME, hostname and /etc/hostname are the id prefix, or -h's" {
	local first
	hr "$I" sh -c 'echo $HOSTNAME; hostname; cat /etc/hostname'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^[0-9a-f]{12}$ ]]
	assert_eq "${lines[0]}" "${lines[1]}"
	assert_eq "${lines[0]}" "${lines[2]}"
	first=${lines[0]}
	# a new id each run
	hr "$I" hostname
	[[ "$output" =~ ^[0-9a-f]{12}$ ]]
	[ "$output" != "$first" ]
	hr -h myhost "$I" sh -c 'echo $HOSTNAME; hostname; cat /etc/hostname'
	assert_eq "myhost myhost myhost" "$(echo $output)"
	hr --hostname other.example "$I" hostname
	assert_eq other.example "$output"
	# the host's own name is untouched
	[ "$(hostname)" != myhost ]
}

# ---- capabilities, seccomp, no_new_privs ---------------------------------

@test "run: docker's default capabilities, and --cap-add/--cap-drop change them" {
	# CAP_MKNOD (bit 27) joins as root, where the device cgroup's
	# allowlist is in place (cgroup.root.bats); rootless, never
	local m=0
	is_root && m=8
	assert_eq "CapPrm:00000000a${m}0425fb CapEff:00000000a${m}0425fb CapBnd:00000000a${m}0425fb NoNewPrivs:0 Seccomp:2 " "$(caps_of "$I")"
	assert_eq "CapPrm:00000000a${m}0435fb CapEff:00000000a${m}0435fb CapBnd:00000000a${m}0435fb NoNewPrivs:0 Seccomp:2 " "$(caps_of --cap-add NET_ADMIN "$I")"
	# docker's spellings: lowercase, CAP_ prefix
	assert_eq "CapPrm:00000000a${m}0435fb CapEff:00000000a${m}0435fb CapBnd:00000000a${m}0435fb NoNewPrivs:0 Seccomp:2 " "$(caps_of --cap-add cap_net_admin "$I")"
	assert_eq "CapPrm:00000000a${m}0425fa CapEff:00000000a${m}0425fa CapBnd:00000000a${m}0425fa NoNewPrivs:0 Seccomp:2 " "$(caps_of --cap-drop CHOWN "$I")"
	assert_eq "CapPrm:0000000000000000 CapEff:0000000000000000 CapBnd:0000000000000000 NoNewPrivs:0 Seccomp:2 " "$(caps_of --cap-drop ALL "$I")"
	assert_eq "CapPrm:0000000000000000 CapEff:0000000000000000 CapBnd:0000000000001000 NoNewPrivs:0 Seccomp:2 " "$(caps_of --cap-drop ALL --cap-add NET_ADMIN -u husk "$I")"
	assert_eq "CapPrm:0000000000001000 CapEff:0000000000001000 CapBnd:0000000000001000 NoNewPrivs:0 Seccomp:2 " "$(caps_of --cap-drop ALL --cap-add NET_ADMIN "$I")"
	# a non-root user keeps the bounding set but holds nothing
	assert_eq "CapPrm:0000000000000000 CapEff:0000000000000000 CapBnd:00000000a${m}0425fb NoNewPrivs:0 Seccomp:2 " "$(caps_of -u husk "$I")"
}

@test "run: --privileged gets every capability the caller can give, no seccomp" {
	local bnd
	if is_root; then
		bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
	else
		bnd=$("$HUSK" unshare awk '/^CapBnd:/ { print $2 }' /proc/self/status)
	fi
	[ -n "$bnd" ]
	assert_eq "CapPrm:$bnd CapEff:$bnd CapBnd:$bnd NoNewPrivs:0 Seccomp:0 " "$(caps_of --privileged "$I")"
	# --cap-add ALL: the same set, but seccomp stays
	assert_eq "CapPrm:$bnd CapEff:$bnd CapBnd:$bnd NoNewPrivs:0 Seccomp:2 " "$(caps_of --cap-add ALL "$I")"
}

@test "run: an unknown capability is refused with 125" {
	hr --cap-add FOO "$I" true
	[ "$status" -eq 125 ]
	[[ "$stderr" == "husk: "*"unknown capability 'FOO'" ]]
	hr --cap-drop NOPE "$I" true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"unknown capability 'NOPE'" ]]
}

@test "run: mounting needs CAP_SYS_ADMIN; --privileged can mount a tmpfs" {
	hr "$I" sh -c 'mkdir /mnt && mount -t tmpfs none /mnt'
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"permission denied"* || "$stderr" == *"Operation not permitted"* ]]
	hr --privileged "$I" sh -c 'mkdir /mnt && mount -t tmpfs none /mnt && touch /mnt/x && grep "^none /mnt tmpfs " /proc/mounts | cut -d" " -f1-3'
	[ "$status" -eq 0 ]
	assert_eq "none /mnt tmpfs" "$output"
}

@test "run: --security-opt no-new-privileges sets NoNewPrivs" {
	local m=0
	is_root && m=8
	assert_eq "CapPrm:00000000a${m}0425fb CapEff:00000000a${m}0425fb CapBnd:00000000a${m}0425fb NoNewPrivs:1 Seccomp:2 " "$(caps_of --security-opt no-new-privileges "$I")"
	assert_eq "CapPrm:00000000a${m}0425fb CapEff:00000000a${m}0425fb CapBnd:00000000a${m}0425fb NoNewPrivs:1 Seccomp:2 " "$(caps_of --security-opt no-new-privileges=true "$I")"
	hr --security-opt no-such-opt "$I" true
	[ "$status" -eq 125 ]
	[[ "${stderr_lines[0]}" == "husk: invalid --security-opt 'no-such-opt'" ]]
}

@test "run: seccomp is on by default, off with seccomp=unconfined and --privileged" {
	hr "$I" grep -E '^Seccomp:' /proc/self/status
	assert_eq "Seccomp:	2" "$output"
	hr --security-opt seccomp=unconfined "$I" grep -E '^Seccomp:' /proc/self/status
	assert_eq "Seccomp:	0" "$output"
	hr --privileged "$I" grep -E '^Seccomp:' /proc/self/status
	assert_eq "Seccomp:	0" "$output"
}

@test "run: a custom seccomp profile is enforced" {
	local p="$BATS_TEST_TMPDIR/nomkdir.json"
	cat >"$p" <<'EOF'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO" }
  ]
}
EOF
	hr --security-opt "seccomp=$p" "$I" sh -c 'mkdir /newdir; echo "mkdir=$?"; touch /newfile && echo touch-ok; grep ^Seccomp: /proc/self/status'
	[ "$status" -eq 0 ]
	assert_eq "mkdir=1 touch-ok Seccomp: 2" "$(echo $output)"
	assert_eq "mkdir: can't create directory '/newdir': Operation not permitted" "$stderr"
	# without it mkdir works
	hr "$I" sh -c 'mkdir /newdir && echo ok'
	assert_eq ok "$output"
}

@test "run: a seccomp profile that is not JSON, or missing, is 125 naming the file" {
	local p="$BATS_TEST_TMPDIR/bad.json"
	echo 'this is not json' >"$p"
	hr --security-opt "seccomp=$p" "$I" true
	[ "$status" -eq 125 ]
	assert_eq 1 "${#stderr_lines[@]}"
	[[ "$stderr" == "husk: "*"'$p'"* ]]
	[ -z "$output" ]
	hr --security-opt "seccomp=$BATS_TEST_TMPDIR/none.json" "$I" true
	[ "$status" -eq 125 ]
	assert_eq 1 "${#stderr_lines[@]}"
	[[ "$stderr" == "husk: "*"'$BATS_TEST_TMPDIR/none.json'"*"no such file or directory" ]]
}

@test "run: a setuid binary works, unless no-new-privileges" {
	hr -u husk "$X" /showid
	[ "$status" -eq 0 ]
	assert_eq "ruid=1000 euid=0" "$output"
	hr -u husk --security-opt no-new-privileges "$X" /showid
	[ "$status" -eq 0 ]
	assert_eq "ruid=1000 euid=1000" "$output"
}

# ---- masked and read-only paths -------------------------------------------

@test "run: docker's masked paths are empty" {
	# (/proc/kcore and /proc/sysrq-trigger do not exist on this kernel)
	local show='for f in /proc/keys /proc/timer_list; do cat $f 2>/dev/null | wc -c; done; ls -A /sys/firmware | wc -l; ls -A /proc/acpi | wc -l'
	hr "$I" sh -c "$show"
	[ "$status" -eq 0 ]
	assert_eq "0 0 0 0" "$(echo $output)"
	# --privileged masks nothing: the same files have content (rootless,
	# /proc/timer_list is root's, mode 0400, and stays unreadable)
	hr --privileged "$I" sh -c "$show"
	[ "$status" -eq 0 ]
	assert_eq 4 "${#lines[@]}"
	[ "${lines[2]}" -gt 0 ]
	if is_root; then
		[ "${lines[1]}" -gt 0 ]
	fi
}

@test "run: docker's read-only paths cannot be written" {
	hr "$I" sh -c 'echo x >/proc/sys/kernel/domainname'
	[ "$status" -eq 1 ]
	assert_eq "sh: can't create /proc/sys/kernel/domainname: Read-only file system" "$stderr"
	hr "$I" sh -c 'echo 1 >/proc/irq/default_smp_affinity'
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"Read-only file system" ]]
	hr "$I" sh -c 'grep -E " /proc/(sys|irq|bus|fs) " /proc/mounts | cut -d" " -f2,4 | cut -d, -f1'
	assert_eq "/proc/bus ro /proc/fs ro /proc/irq ro /proc/sys ro" "$(echo $(sort <<<"$output"))"
}

# ---- users ---------------------------------------------------------------

@test "run: -u by name, uid, uid:gid and name:group" {
	hr -u husk "$I" id
	assert_eq "uid=1000(husk) gid=1000(husk) groups=10(wheel),100(users)" "$output"
	hr -u 1000 "$I" id
	assert_eq "uid=1000(husk) gid=1000(husk) groups=10(wheel),100(users)" "$output"
	hr -u 1234 "$I" id
	assert_eq "uid=1234 gid=0(root)" "$output"
	hr -u 1234:5678 "$I" id
	assert_eq "uid=1234 gid=5678" "$output"
	hr -u husk:users "$I" id -u
	assert_eq 1000 "$output"
	hr -u husk:users "$I" id -g
	assert_eq 100 "$output"
	hr -u nobody "$I" id -u
	[ "$output" -gt 0 ]
}

@test "run: an unknown user or group is 125" {
	hr -u nosuch "$I" id
	[ "$status" -eq 125 ]
	[[ "$stderr" == "husk: "*"unable to find user 'nosuch': no matching entries in passwd file" ]]
	hr -u husk:nosuchgrp "$I" id
	[ "$status" -eq 125 ]
	[[ "$stderr" == "husk: "*"unable to find group 'nosuchgrp': no matching entries in group file" ]]
}

@test "run: HOME comes from passwd, / for a uid without an entry" {
	hr -u husk "$I" sh -c 'echo $HOME'
	assert_eq /home/husk "$output"
	hr "$I" sh -c 'echo $HOME'
	assert_eq /root "$output"
	hr -u 1234 "$I" sh -c 'echo $HOME'
	assert_eq / "$output"
	# -e HOME wins
	hr -u husk -e HOME=/elsewhere "$I" sh -c 'echo $HOME'
	assert_eq /elsewhere "$output"
}

# ---- environment ----------------------------------------------------------

@test "run: -e K=V with '=' in V, empty values, host pass-through" {
	export HUSK_T_HOSTV='host value'
	unset HUSK_T_NOPE
	hr -e A=b=c -e EMPTY= -e HUSK_T_HOSTV -e HUSK_T_NOPE "$I" sh -c \
		'echo "A=$A"; echo "EMPTY=[$EMPTY]${EMPTY+set}"; echo "HOSTV=$HUSK_T_HOSTV"; env | grep -c HUSK_T_NOPE'
	assert_eq "A=b=c" "${lines[0]}"
	assert_eq "EMPTY=[]set" "${lines[1]}"
	assert_eq "HOSTV=host value" "${lines[2]}"
	assert_eq 0 "${lines[3]}"
	# the default PATH, and -e overrides
	hr "$I" sh -c 'echo $PATH'
	assert_eq /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$output"
	hr -e PATH=/bin "$I" sh -c 'echo $PATH'
	assert_eq /bin "$output"
	# the later -e of a key wins
	hr -e K=1 -e K=2 "$I" sh -c 'env | grep "^K="'
	assert_eq K=2 "$output"
}

@test "run: --env-file skips comments and blank lines, keeps '=' in values" {
	local f="$BATS_TEST_TMPDIR/env"
	export HUSK_T_HOSTV='from host'
	unset HUSK_T_NOPE
	printf '# a comment\n\nK1=v1\nK2=a=b\n   K3=indented\nHUSK_T_HOSTV\nHUSK_T_NOPE\nK4=\n' >"$f"
	hr --env-file "$f" "$I" sh -c 'env | grep -E "^(K[0-9]|HUSK_T_)" | sort'
	[ "$status" -eq 0 ]
	assert_eq "HUSK_T_HOSTV=from host K1=v1 K2=a=b K3=indented K4=" "$(echo $output)"
}

@test "run: a bad -e, an invalid --env-file line or a missing file is 125" {
	local f="$BATS_TEST_TMPDIR/env"
	printf 'GOOD=1\nBAD KEY=x\n' >"$f"
	hr --env-file "$f" "$I" true
	[ "$status" -eq 125 ]
	assert_eq "husk: invalid line 2 in the env file '$f': 'BAD KEY=x'" "$stderr"
	hr --env-file "$BATS_TEST_TMPDIR/nonexistent" "$I" true
	[ "$status" -eq 125 ]
	assert_eq "husk: cannot open the env file '$BATS_TEST_TMPDIR/nonexistent': no such file or directory" "$stderr"
	hr -e =x "$I" true
	[ "$status" -eq 125 ]
	[[ "${stderr_lines[0]}" == "husk: invalid environment variable '=x'" ]]
}

# ---- process --------------------------------------------------------------

@test "run: -w creates the directory and starts there; the image's WorkingDir is the default" {
	hr -w /new/dir "$I" sh -c 'pwd; ls -ld /new/dir | cut -c1'
	[ "$status" -eq 0 ]
	assert_eq "/new/dir d" "$(echo $output)"
	hr "$I" pwd
	assert_eq / "$output"
	hr "$X" sh -c 'pwd; cat marker'
	assert_eq "/srv/app hello" "$(echo $output)"
	hr -w /tmp "$X" pwd
	assert_eq /tmp "$output"
	hr -w relative "$I" pwd
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"the working directory 'relative' is not absolute" ]]
}

@test "run: --entrypoint overrides the image's, and '' clears it" {
	hr "$EP"
	assert_eq "from-ep default-cmd" "$output"
	hr "$EP" a b
	assert_eq "from-ep a b" "$output"
	# docker: --entrypoint drops the image's Cmd too
	hr --entrypoint /bin/echo "$EP"
	[ "$status" -eq 0 ]
	assert_eq "" "$output"
	hr --entrypoint /bin/echo "$EP" x y
	assert_eq "x y" "$output"
	hr --entrypoint "" "$EP" echo hi
	assert_eq hi "$output"
	hr --entrypoint "" "$EP"
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"no command specified" ]]
}

# ---- mounts ----------------------------------------------------------------

@test "run: -v binds a host directory both ways" {
	local d="$BATS_TEST_TMPDIR/vol"
	mkdir "$d"
	echo from-host >"$d/h"
	hr -v "$d:/data" "$I" sh -c 'cat /data/h; echo from-ctr >/data/c'
	[ "$status" -eq 0 ]
	assert_eq from-host "$output"
	assert_eq from-ctr "$(cat "$d/c")"
	# container root is the caller on the host
	assert_eq "$(id -u)" "$(stat -c %u "$d/c")"
	hr -v "$d:/data:rw" "$I" sh -c 'echo again >>/data/c'
	[ "$status" -eq 0 ]
	assert_eq "from-ctr again" "$(echo $(cat "$d/c"))"
	# a missing source directory is created, as docker does
	hr -v "$BATS_TEST_TMPDIR/new/sub:/n" "$I" sh -c 'touch /n/x'
	[ "$status" -eq 0 ]
	[ -f "$BATS_TEST_TMPDIR/new/sub/x" ]
}

@test "run: -v :ro is read-only; a file can be bound" {
	local d="$BATS_TEST_TMPDIR/vol"
	mkdir "$d"
	echo from-host >"$d/h"
	hr -v "$d:/data:ro" "$I" sh -c 'cat /data/h; echo x >/data/z'
	[ "$status" -eq 1 ]
	assert_eq from-host "$output"
	assert_eq "sh: can't create /data/z: Read-only file system" "$stderr"
	[ ! -e "$d/z" ]
	hr -v "$d/h:/etc/foo" "$I" sh -c 'cat /etc/foo; echo more >>/etc/foo'
	[ "$status" -eq 0 ]
	assert_eq from-host "$output"
	assert_eq "from-host more" "$(echo $(cat "$d/h"))"
	hr -v "$d/h:/etc/foo:ro" "$I" sh -c 'echo y >>/etc/foo'
	[ "$status" -eq 1 ]
	assert_eq "sh: can't create /etc/foo: Read-only file system" "$stderr"
	# a file onto a path missing in the image
	hr -v "$d/h:/new/place/file:ro" "$I" cat /new/place/file
	assert_eq "from-host more" "$(echo $output)"
}

@test "run: a bad -v is 125" {
	local d="$BATS_TEST_TMPDIR"
	hr -v "$d:relative" "$I" true
	[ "$status" -eq 125 ]
	[[ "${stderr_lines[0]}" == "husk: invalid volume specification '$d:relative': unknown mode 'relative' (ro, rw, z, Z, U, nocopy)" ]]
	hr -v "$d:/x:bogus" "$I" true
	[ "$status" -eq 125 ]
	[[ "${stderr_lines[0]}" == "husk: invalid volume specification '$d:/x:bogus': unknown mode 'bogus' (ro, rw, z, Z, U, nocopy)" ]]
	hr -v "$d:/x:ro:more" "$I" true
	[ "$status" -eq 125 ]
	[[ "${stderr_lines[0]}" == "husk: invalid volume specification '$d:/x:ro:more': want [SRC:]DST[:MODE]" ]]
	hr -v "$d:/" "$I" true
	[ "$status" -eq 125 ]
	[[ "${stderr_lines[0]}" == "husk: invalid volume specification '$d:/': the destination '/' is not an absolute path below /" ]]
	hr -v ":/x" "$I" true
	[ "$status" -eq 125 ]
}

@test "run: a bind source that is a symlink is resolved on the host" {
	local d="$BATS_TEST_TMPDIR"
	mkdir "$d/real"
	echo target-content >"$d/real/f"
	ln -s "$d/real" "$d/dirlink"
	ln -s "$d/real/f" "$d/filelink"
	hr -v "$d/dirlink:/data" "$I" cat /data/f
	[ "$status" -eq 0 ]
	assert_eq target-content "$output"
	hr -v "$d/filelink:/etc/foo" "$I" sh -c 'cat /etc/foo; test -L /etc/foo || echo not-a-link'
	assert_eq "target-content not-a-link" "$(echo $output)"
}

@test "run: a symlink in the image cannot send a mount outside the rootfs" {
	local d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	echo hostfile >"$d/f"
	# /evil-abs -> $OUT, /evil-rel -> ../../(...)$OUT: both exist inside
	# the image, the mount lands there
	for l in evil-abs evil-rel; do
		hr -v "$d:/$l/x" "$X" sh -c "cat /$l/x/f; cat $OUT/x/f"
		[ "$status" -eq 0 ]
		assert_eq "hostfile hostfile" "$(echo $output)"
		assert_eq "" "$(ls -A "$OUT")"
	done
	# the host's path is never written, even after the container exits
	[ ! -e "$OUT/x" ]
}

@test "run: a dangling symlink in the image resolves inside the rootfs for a mount" {
	local d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	echo hostfile >"$d/f"
	# /evil-dangling -> $OUT2, which exists on the host only: docker
	# (runc's MkdirAllInRoot) creates $OUT2/x inside the rootfs
	hr -v "$d:/evil-dangling/x" "$X" sh -c "cat /evil-dangling/x/f; cat $OUT2/x/f"
	echo "$stderr"
	assert_eq "" "$(ls -A "$OUT2")"
	[ "$status" -eq 0 ]
	assert_eq "hostfile hostfile" "$(echo $output)"
}

@test "run: --read-only rootfs; --tmpfs and binds stay writable" {
	local d="$BATS_TEST_TMPDIR/vol"
	mkdir "$d"
	hr --read-only "$I" touch /x
	[ "$status" -eq 1 ]
	assert_eq "touch: /x: Read-only file system" "$stderr"
	hr --read-only "$I" touch /tmp/x
	[ "$status" -eq 1 ]
	hr --read-only --tmpfs /tmp -v "$d:/data" "$I" sh -c 'touch /tmp/y && touch /data/z && grep " /tmp " /proc/mounts | cut -d" " -f3'
	[ "$status" -eq 0 ]
	assert_eq tmpfs "$output"
	[ -e "$d/z" ]
}

@test "run: --tmpfs mounts a fresh tmpfs with its options" {
	hr --tmpfs /scratch:size=1m,mode=0700 "$I" sh -c 'grep " /scratch " /proc/mounts; stat -c %a /scratch'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "tmpfs /scratch tmpfs rw,nosuid,nodev,"*"size=1024k"*"mode=700"* ]]
	assert_eq 700 "${lines[1]}"
	hr --tmpfs relative "$I" true
	[ "$status" -eq 125 ]
}

@test "run: the 65-layer image runs" {
	hr "$HUSK_REG_PLAIN/husk/many" sh -c 'ls /layers | wc -l'
	[ "$status" -eq 0 ]
	assert_eq 64 "$output"
}

# ---- stdio and terminals ----------------------------------------------------

@test "run: -t gives the container a terminal; without it there is none" {
	require_cmd script
	run script -qec "'$HUSK' run --rm -t '$I' sh -c 'tty; test -t 0 && echo in-tty; test -t 1 && echo out-tty; echo \$TERM'" /dev/null </dev/null
	[ "$status" -eq 0 ]
	assert_eq "/dev/pts/0 in-tty out-tty xterm" "$(echo $(tr -d '\r' <<<"$output"))"
	hr "$I" tty
	[ "$status" -eq 1 ]
	assert_eq "not a tty" "$output"
	hr -i "$I" sh -c 'test -t 0 || echo no-tty'
	assert_eq no-tty "$output"
}

@test "run: -i passes 2 MB of binary stdin intact; without -i stdin is empty" {
	local f="$BATS_TEST_TMPDIR/in" want
	head -c 2M /dev/urandom >"$f"
	want=$(sha256sum <"$f" | cut -d' ' -f1)
	assert_eq "$want  -" "$("$HUSK" run --rm -i "$I" sha256sum <"$f")"
	assert_eq "$want  -" "$("$HUSK" run --rm -i "$I" cat <"$f" | sha256sum)"
	assert_eq 0 "$("$HUSK" run --rm "$I" wc -c <"$f")"
}

@test "run: 3 MB of stdout arrive intact, stderr apart" {
	local f="$BATS_TEST_TMPDIR/big"
	head -c 3M /dev/urandom >"$f"
	"$HUSK" run --rm -v "$f:/big:ro" "$I" sh -c 'cat /big; echo to-stderr >&2' \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	assert_eq "$(sha256sum <"$f")" "$(sha256sum <"$BATS_TEST_TMPDIR/out")"
	assert_eq to-stderr "$(cat "$BATS_TEST_TMPDIR/err")"
}

# ---- --rm and cleanup ---------------------------------------------------------

@test "run: a --rm container's changes do not reach the image, nothing is left in tmp/" {
	local before
	before=$(ls "$HUSK_ROOT/containers" 2>/dev/null || true)
	hr "$I" sh -c 'echo leak >/leak; rm /bin/ls; cat /leak'
	assert_eq leak "$output"
	hr "$I" sh -c 'test -e /leak && echo leaked; test -e /bin/ls && echo ls-there'
	assert_eq ls-there "$output"
	assert_eq "" "$(ls -A "$HUSK_ROOT/tmp")"
	# no container directory either
	assert_eq "$before" "$(ls "$HUSK_ROOT/containers" 2>/dev/null || true)"
}

@test "run: SIGKILL of the container's process: 137 and --rm still cleans up" {
	local m="marker-kill-ctr-$$-$RANDOM" p cp sp rc=0 i before
	before=$(ls "$HUSK_ROOT/containers" 2>/dev/null || true)
	"$HUSK" run --rm "$I" sh -c 'sleep 30; true' "$m" >/dev/null 2>&1 3>&- &
	p=$!
	cp=$(pid_of "sh -c sleep 30; true $m")
	[ "$cp" != "$p" ]
	for i in $(seq 50); do
		sp=$(pgrep -P "$cp" || true)
		[ -n "$sp" ] && break
		sleep 0.1
	done
	[ -n "$sp" ]
	[ "$(ls "$HUSK_ROOT/containers")" != "$before" ]
	kill -KILL "$cp"
	wait "$p" || rc=$?
	assert_eq 137 "$rc"
	assert_eq "" "$(ls -A "$HUSK_ROOT/tmp")"
	assert_eq "$before" "$(ls "$HUSK_ROOT/containers")"
	# the PID namespace died with its init: the sleep too
	for i in $(seq 30); do
		dead "$sp" && break
		sleep 0.1
	done
	dead "$sp"
}

@test "run: SIGKILL of husk kills the container; ps hides its record, the next ps or rm removes it" {
	local m="marker-kill-husk-$$-$RANDOM" p cp i id
	"$HUSK" run --rm --name "k$$" "$I" sh -c 'sleep 30; true' "$m" >/dev/null 2>&1 3>&- &
	p=$!
	cp=$(pid_of "sh -c sleep 30; true $m")
	id=$("$HUSK" ps -q --no-trunc --filter "name=k$$")
	[ ${#id} -eq 64 ]
	kill -KILL "$p"
	wait "$p" || true
	for i in $(seq 30); do
		dead "$cp" && break
		sleep 0.1
	done
	dead "$cp"
	# its record is still there, saying running...
	[ -d "$HUSK_ROOT/containers/$id" ]
	# ...but ps knows better, and removes what it can
	run "$HUSK" ps -a --filter "name=k$$"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ ! -e "$HUSK_ROOT/containers/$id" ]
	# rootless, files of subordinate ids wait for a command in the user
	# namespace: rm finishes the removal
	run "$HUSK" rm "k$$"
	if is_root; then [ "$status" -eq 125 ]; fi
	[ ! -e "$HUSK_ROOT/containers/$id" ]
	[ ! -e "$HUSK_ROOT/containers/.rm-$id" ]
	# the name is free again
	hr --name "k$$" "$I" true
	[ "$status" -eq 0 ]
}

# ---- pulling -------------------------------------------------------------

@test "run: --pull missing pulls into an empty store, --pull never does not" {
	export HUSK_ROOT="$BATS_TEST_TMPDIR/root"
	hr --pull never "$I" true
	[ "$status" -eq 125 ]
	assert_eq "husk: cannot run '$I': no such image" "$stderr"
	hr --pull missing "$I" echo pulled
	[ "$status" -eq 0 ]
	assert_eq pulled "$output"
	run "$HUSK" images -q
	[ "${#lines[@]}" -ge 1 ]
	hr --pull never "$I" echo cached
	assert_eq cached "$output"
	hr --pull sometimes "$I" true
	[ "$status" -eq 125 ]
}

@test "run: fuse-overlayfs serves the rootfs when asked (HUSK_OVERLAY=fuse-overlayfs), with whiteouts and opaque dirs right" {
	require_cmd fuse-overlayfs
	L="$HUSK_REG_PLAIN/husk/layers"
	"$HUSK" pull -q "$L" >/dev/null
	run --separate-stderr env HUSK_OVERLAY=fuse-overlayfs "$HUSK" run --rm "$L" sh -c \
		'grep " / " /proc/mounts | cut -d" " -f3; ls /opq | tr "\n" " "; echo; test -e /data/gone.txt && echo gone-visible; echo hi > /new; cat /new'
	[ "$status" -eq 0 ]
	assert_eq "fuse.fuse-overlayfs" "${lines[0]}"
	# the layer's own entries only: lower ones hidden by the opaque marker
	assert_eq "keepname new1 newdir " "${lines[1]}"
	assert_eq hi "${lines[2]}"
	[ -z "$stderr" ]
	# the daemon went with the container, and nothing is left in the store
	! pgrep -f "fuse-overlayfs -f -o lowerdir=$HUSK_ROOT" >/dev/null
	assert_eq "" "$(ls -A "$HUSK_ROOT/tmp")"
}

@test "run: neither overlay nor fuse-overlayfs usable is a clear error (125)" {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	# a PATH with the helpers husk needs but no fuse-overlayfs
	for t in newuidmap newgidmap; do
		ln -s "$(command -v $t)" "$BATS_TEST_TMPDIR/bin/$t"
	done
	run --separate-stderr env PATH="$BATS_TEST_TMPDIR/bin" HUSK_OVERLAY=fuse-overlayfs "$HUSK" run --rm --network none "$I" true
	[ "$status" -eq 125 ]
	[[ "$stderr" == "husk: cannot start container '"*"': cannot mount the rootfs: neither the kernel's overlay nor fuse-overlayfs (not installed) can be used" ]]
	assert_eq "" "$(ls -A "$HUSK_ROOT/tmp")"
}
