#!/bin/bash
# Helpers shared by network.bats and network_pasta.bats (loaded after
# helpers.bash): a free host port, a container's first pid, a busybox web
# server, and a patient HTTP GET.

# free_port [ADDR]: a port nobody listens on at ADDR (127.0.0.1; ::1 too)
free_port() {
	$PY -c 'import socket,sys; s=socket.socket(socket.AF_INET6 if sys.argv[1] == "::1" else socket.AF_INET); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "${1:-127.0.0.1}"
}

pid_of() { "$HUSK" inspect -f '{{.State.Pid}}' "$1"; }

# httpd NAME ARGS...: a busybox web server in a detached container
httpd() {
	local name=$1
	shift
	"$HUSK" run -d --name "$name" "$@" "$I" sh -c \
		'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 80 -h /www'
}

# get URL: the body, trying for up to 5 s while the server starts
get() {
	local i
	for i in $(seq 50); do
		curl -fsS --max-time 2 "$1" && return 0
		sleep 0.1
	done
	return 1
}

# host_server PORT: a web server on the host's 127.0.0.1:PORT answering
# "host side" (its pid in SRV, for teardown), once it answers
host_server() {
	mkdir -p "$BATS_TEST_TMPDIR/www"
	echo "host side" > "$BATS_TEST_TMPDIR/www/index.html"
	$PY -m http.server --bind 127.0.0.1 --directory "$BATS_TEST_TMPDIR/www" "$1" >/dev/null 2>&1 &
	SRV=$!
	get "http://127.0.0.1:$1/" >/dev/null
}

# udp_echo NAME HOSTPORT ARGS...: a detached container echoing UDP on port
# 5353 ("echo:" + each datagram), published on 127.0.0.1:HOSTPORT/udp; it
# also prints "got:" + each datagram (husk logs). The image's busybox has
# no UDP server, so the host's python3 is bound in read-only (/usr, and
# /lib and /lib64 from it).
udp_echo() {
	local name=$1 port=$2
	shift 2
	"$HUSK" run -d --name "$name" -p "127.0.0.1:$port:5353/udp" \
		-v /usr:/usr:ro -v /usr/lib:/lib:ro -v /usr/lib64:/lib64:ro "$@" "$I" \
		/usr/bin/python3 -u -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5353))
while True:
    d, a = s.recvfrom(2048)
    print("got:" + d.decode(), flush=True)
    s.sendto(b"echo:" + d, a)'
}

# udp_ask PORT MSG: sends MSG to 127.0.0.1:PORT/udp every 0.5 s until a
# reply comes (for up to 10 s) and prints it; 1 when none came
udp_ask() {
	$PY -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
for _ in range(20):
    s.sendto(sys.argv[2].encode(), ("127.0.0.1", int(sys.argv[1])))
    try:
        print(s.recvfrom(2048)[0].decode())
        sys.exit(0)
    except socket.timeout:
        pass
sys.exit(1)' "$1" "$2"
}

# udp_reaches NAME PORT MSG: sends MSG to 127.0.0.1:PORT/udp until container
# NAME's udp_echo server has logged it (up to 10 s)
udp_reaches() {
	local i
	for i in $(seq 20); do
		$PY -c 'import socket, sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(sys.argv[2].encode(), ("127.0.0.1", int(sys.argv[1])))' "$2" "$3"
		sleep 0.5
		"$HUSK" logs "$1" | grep -qx "got:$3" && return 0
	done
	return 1
}

# free_udp_port: a UDP port nobody has bound on 127.0.0.1
free_udp_port() {
	$PY -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# udp_free PORT: true when 127.0.0.1:PORT/udp can be bound
udp_free() {
	$PY -c 'import socket, sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}
