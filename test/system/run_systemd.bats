#!/usr/bin/env bats
# husk run under systemd, without systemd: NOTIFY_SOCKET and socket
# activation (LISTEN_FDS) with sockets the test makes (TESTING.md).

load helpers

setup_file() {
	export HUSK_ROOT="$BATS_FILE_TMPDIR/root" HUSK_RUNROOT="$BATS_FILE_TMPDIR/run"
	[ -n "${HUSK_REG_PLAIN:-}" ] || return 0
	"$HUSK" pull -q "$HUSK_REG_PLAIN/husk/busybox" >/dev/null
}

teardown_file() {
	if [ -d "$HUSK_ROOT" ] && [ "$(id -u)" != 0 ]; then
		"$HUSK" unshare rm -rf "$HUSK_ROOT"
	fi
}

setup() {
	require_registry
	IMG=$HUSK_REG_PLAIN/husk/busybox
	NOTIFY=$HUSK_SRC/$O/test/helpers/sd-notify
	[ -x "$NOTIFY" ] || NOTIFY=$HUSK_SRC/build/test/helpers/sd-notify
}

@test "NOTIFY_SOCKET is bound into the container and READY=1 reaches the caller's socket" {
	run "$PY" - "$HUSK" "$IMG" "$NOTIFY" "$BATS_TEST_TMPDIR/n.sock" <<'PYEOF'
import os, socket, subprocess, sys
husk, img, notify, path = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(10)
env = dict(os.environ, NOTIFY_SOCKET=path)
p = subprocess.Popen([husk, "run", "--rm", "-v", notify + ":/sd-notify:ro", img,
                      "sh", "-c", "echo $NOTIFY_SOCKET; /sd-notify READY=1; sleep 0.2"],
                     env=env, stdout=subprocess.PIPE, text=True)
# husk steps aside here (--rm, no tty): MAINPID first, then READY=1
msgs = [s.recv(100).decode().strip() for _ in range(2)]
out, _ = p.communicate(timeout=20)
print(out.strip())
print(" ".join(sorted(m.split("=")[0] + "=" for m in msgs)))
print("READY=1" if "READY=1" in msgs else msgs)
print(p.returncode)
PYEOF
	[ "$status" -eq 0 ]
	assert_eq "/run/notify/notify.sock" "${lines[0]}"
	assert_eq "MAINPID= READY=" "${lines[1]}"
	assert_eq "READY=1" "${lines[2]}"
	assert_eq 0 "${lines[3]}"
}

@test "a NOTIFY_SOCKET that is not a socket path is ignored with a warning" {
	run --separate-stderr env NOTIFY_SOCKET=@abstract "$HUSK" run --rm "$IMG" sh -c 'echo "[${NOTIFY_SOCKET:-}]"'
	[ "$status" -eq 0 ]
	assert_eq "[]" "$output"
	assert_eq "husk: warning: NOTIFY_SOCKET '@abstract' is not a socket path husk can bind into the container: ignored" "$stderr"
}

@test "socket activation: LISTEN_FDS pass through with LISTEN_PID rewritten to 1" {
	run "$PY" - "$HUSK" "$IMG" <<'PYEOF'
import os, socket, subprocess, sys
husk, img = sys.argv[1:3]
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
port = ls.getsockname()[1]
# systemd's contract: the fds start at 3, LISTEN_PID is the receiver's pid
code = ("import os; os.dup2(%d, 3); os.environ['LISTEN_FDS'] = '1'; "
        "os.environ['LISTEN_PID'] = str(os.getpid()); "
        "os.execv(%r, [%r, 'run', '--rm', '--network', 'host', %r, 'sh', '-c', "
        "'echo $LISTEN_FDS $LISTEN_PID; ls -l /proc/self/fd/ | grep -c socket'])"
        ) % (ls.fileno(), husk, husk, img)
r = subprocess.run(["/usr/bin/python3", "-c", code], pass_fds=(ls.fileno(),),
                   capture_output=True, text=True, timeout=30)
print(r.stdout.strip())
print(r.returncode)
PYEOF
	[ "$status" -eq 0 ]
	assert_eq "1 1" "${lines[0]}"
	# fd 3 is the socket (and nothing else leaked in)
	assert_eq 1 "${lines[1]}"
	assert_eq 0 "${lines[2]}"
}

@test "LISTEN_FDS meant for another process are not passed" {
	run env LISTEN_FDS=1 LISTEN_PID=1 "$HUSK" run --rm "$IMG" sh -c 'echo "[${LISTEN_FDS:-}]"; ls /proc/self/fd | wc -l'
	[ "$status" -eq 0 ]
	assert_eq "[]" "${lines[0]}"
	# 0, 1, 2 and ls's own directory fd
	assert_eq 4 "${lines[1]}"
}

@test "under systemd (NOTIFY_SOCKET, --rm, no tty) husk steps aside: MAINPID is the container, no husk process stays" {
	run "$PY" - "$HUSK" "$IMG" "$BATS_TEST_TMPDIR/m.sock" "$HUSK_ROOT" <<'PYEOF'
import os, socket, subprocess, sys, time
husk, img, path, root = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(10)
env = dict(os.environ, NOTIFY_SOCKET=path)
out = open(path + ".out", "w+")
t = time.time()
# the container keeps husk's stdout: wait for husk, not for EOF
p = subprocess.Popen([husk, "run", "--rm", img, "sh", "-c",
                      "grep ' / ' /proc/mounts; exec sleep 5"],
                     env=env, stdout=out)
p.wait(timeout=20)
took = time.time() - t
time.sleep(0.3)
out.seek(0)
p.stdout = out.read()
pid = int(s.recv(100).decode().strip().split("=")[1])
status = dict(l.split(":\t", 1) for l in open("/proc/%d/status" % pid).read().splitlines() if ":\t" in l)
print(p.returncode)
print("quick" if took < 3 else "slow %.1f" % took)
print(status["Name"], "ppid-is-not-husk" if int(status["PPid"]) != p.pid else "")
print("tmpfs-upper" if "/work/upper," in p.stdout else "disk-upper: " + p.stdout)
print(len(os.listdir(os.path.join(root, "tmp"))))
# the unit's cgroup, not one of husk's: nobody would remove that
print("own-cgroup" if "husk-" in open("/proc/%d/cgroup" % pid).read() else "caller-cgroup")
os.kill(pid, 9)   # ours: the test started it
PYEOF
	[ "$status" -eq 0 ]
	assert_eq 0 "${lines[0]}"
	assert_eq quick "${lines[1]}"
	# the container's own process, alive after husk left
	assert_eq "sleep ppid-is-not-husk" "${lines[2]}"
	assert_eq tmpfs-upper "${lines[3]}"
	# and nothing of it in the store
	assert_eq 0 "${lines[4]}"
	assert_eq caller-cgroup "${lines[5]}"
}
