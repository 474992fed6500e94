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
