#!/usr/bin/env bats
# The private network (slirp4netns; pasta in network_pasta.bats), published ports, container:NAME and
# the helper's lifetime, as root and rootless. Every server listens on
# 127.0.0.1 or inside a container's namespace; nothing leaves the machine.
# Outbound traffic to an "outside" namespace: network.root.bats.

load helpers
load network_helpers

setup_file() {
	busybox_store
	"$HUSK" pull -q "$HUSK_REG_PLAIN/husk/volumes" >/dev/null
}

teardown_file() {
	busybox_store_teardown
}

setup() {
	require_registry
	require_cmd slirp4netns curl
}

teardown() {
	local ids
	[ -z "${SRV:-}" ] || kill "$SRV" 2>/dev/null || true
	ids=$("$HUSK" ps -aq 2>/dev/null) || true
	# shellcheck disable=SC2086
	[ -z "$ids" ] || "$HUSK" rm -f $ids >/dev/null 2>&1 || true
	# the pause process of the container:NAME test, by its recorded pid
	if [ "${HUSK_NO_PAUSE:-}" = 0 ] && [ -f "$HUSK_RUNROOT/pause.pid" ]; then
		kill -9 "$(cut -d' ' -f1 "$HUSK_RUNROOT/pause.pid")" 2>/dev/null || true
		rm -f "$HUSK_RUNROOT/pause.pid"
	fi
}

# NC_GET HOST PORT, inside a container: the last line of the body (the
# image's busybox wget crashes; its nc does not)
NC_GET='printf "GET / HTTP/1.0\r\n\r\n" | nc -w 5 "$0" "$1" | tail -n 1'

@test "interfaces: the private network has lo and tap0 (10.0.2.100); none has lo" {
	run "$HUSK" run --rm "$I" sh -c 'ls /sys/class/net | tr "\n" ","; echo; ip -4 addr show tap0 | grep -o "inet [0-9./]*"; ip route | grep default'
	assert_eq 0 "$status"
	assert_eq "lo,tap0," "${lines[0]}"
	assert_eq "inet 10.0.2.100/24" "${lines[1]}"
	[[ "${lines[2]}" == "default via 10.0.2.2 dev tap0"* ]]
	run "$HUSK" run --rm --network none "$I" ls /sys/class/net
	assert_eq lo "$output"
	run "$HUSK" inspect -f '{{.HostConfig.NetworkMode}}' "$("$HUSK" run -d "$I" true)"
	assert_eq slirp4netns "$output"
}

@test "two containers on the private network have namespaces of their own" {
	local a b
	a=$("$HUSK" run -d "$I" sleep 100)
	b=$("$HUSK" run -d "$I" sleep 100)
	[ "$(readlink "/proc/$(pid_of "$a")/ns/net")" != "$(readlink "/proc/$(pid_of "$b")/ns/net")" ]
	[ "$(readlink "/proc/$(pid_of "$a")/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

@test "-p 127.0.0.1:PORT:80: the web server answers on the host; port, ps and inspect say so; rm frees it" {
	local port
	port=$(free_port)
	httpd web -p "127.0.0.1:$port:80" >/dev/null
	run get "http://127.0.0.1:$port/"
	assert_eq 0 "$status"
	[[ "$output" == "hello from "* ]]
	run "$HUSK" port web
	assert_eq "80/tcp -> 127.0.0.1:$port" "$output"
	run "$HUSK" ps --format '{{.Names}} {{.Ports}}'
	assert_eq "web 127.0.0.1:$port->80/tcp" "$output"
	run "$HUSK" inspect -f '{{json .NetworkSettings.Ports}}' web
	assert_eq "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$port\"}]}" "$output"
	"$HUSK" rm -f web >/dev/null
	run curl -fsS --max-time 2 "http://127.0.0.1:$port/"
	[ "$status" -ne 0 ]
	# the port is free again: a new container takes it
	httpd web2 -p "127.0.0.1:$port:80" >/dev/null
	run get "http://127.0.0.1:$port/"
	assert_eq 0 "$status"
}

@test "-p CTR picks a free host port; -P publishes every EXPOSEd port" {
	local hp
	"$HUSK" run -d --name one -p 127.0.0.1::80 "$I" sleep 100 >/dev/null
	run "$HUSK" port one 80
	[[ "$output" == 127.0.0.1:* ]]
	hp=${output#127.0.0.1:}
	(( hp > 0 ))
	"$HUSK" run -d --name all -P "$HUSK_REG_PLAIN/husk/volumes" sh -c \
		'mkdir -p /www && echo exposed > /www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
	run "$HUSK" port all
	assert_eq 2 "${#lines[@]}"
	[[ "${lines[0]}" == "53/udp -> 0.0.0.0:"* || "${lines[0]}" == "80/tcp -> 0.0.0.0:"* ]]
	hp=$("$HUSK" port all 80/tcp | sed 's/.*://')
	run get "http://127.0.0.1:$hp/"
	assert_eq exposed "$output"
	# Config.ExposedPorts has the image's; ps filters on it
	run "$HUSK" inspect -f '{{json .Config.ExposedPorts}}' all
	assert_eq '{"53/udp":{},"80/tcp":{}}' "$output"
	run "$HUSK" ps --format '{{.Names}}' --filter expose=53/udp
	assert_eq all "$output"
}

@test "a host port in use is refused, naming it, and nothing is left" {
	local port
	port=$(free_port)
	$PY -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)' "$port" &
	SRV=$!
	for _ in $(seq 50); do
		$PY -c 'import socket,sys; s=socket.socket(); s.connect(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null && break
		sleep 0.1
	done
	run --separate-stderr "$HUSK" run -d -p "127.0.0.1:$port:80" "$I" sleep 100
	assert_eq 125 "$status"
	assert_eq "husk: the host port 127.0.0.1:$port/tcp is already in use" "$stderr"
	run "$HUSK" ps -aq
	assert_eq "" "$output"
	# bad -p values: a usage error each
	for bad in 80:80:80:80 abc 70000 127.0.0.1:x:80 1.2.3:80:80 80/sctp; do
		run --separate-stderr "$HUSK" run --rm -p "$bad" "$I" true
		assert_eq 125 "$status"
		[[ "${stderr_lines[0]}" == "husk: invalid port '$bad'"* ]]
	done
	run --separate-stderr "$HUSK" run --rm --network none -p 8080:80 "$I" true
	assert_eq 125 "$status"
	[[ "$stderr" == *"only be published from the private network"* ]]
}

@test "container:NAME shares the other's namespace, its loopback, hosts, resolv.conf and host name" {
	local a b
	# rootless, both must be in husk's pinned user namespace (test/run.sh
	# turns it off for the other tests); teardown ends its pause process
	is_root || export HUSK_NO_PAUSE=0
	httpd srv --hostname websrv --add-host far.example:10.9.8.7 --dns 10.0.2.3 --dns-search corp.example >/dev/null
	a=$(pid_of srv)
	run "$HUSK" run --rm --network container:srv "$I" sh -c \
		'for i in $(seq 50); do out=$(sh -c "$1" 127.0.0.1 80) && [ -n "$out" ] && echo "$out" && exit 0; sleep 0.1; done; exit 1' \
		sh "$NC_GET"
	[ "$status" -eq 0 ] || echo "$output" >&2
	assert_eq 0 "$status"
	[[ "$output" == "hello from "* ]]
	b=$("$HUSK" run -d --network container:srv "$I" sleep 100)
	assert_eq "$(readlink "/proc/$a/ns/net")" "$(readlink "/proc/$(pid_of "$b")/ns/net")"
	run "$HUSK" inspect -f '{{.HostConfig.NetworkMode}}' "$b"
	[[ "$output" == "container:"* ]]
	# docker's sharing: the same files, bound from srv's directory
	run "$HUSK" exec "$b" sh -c 'hostname; grep far /etc/hosts; grep -v "^#" /etc/resolv.conf'
	assert_eq "websrv" "${lines[0]}"
	assert_eq "10.9.8.7	far.example" "${lines[1]}"
	assert_eq "nameserver 10.0.2.3" "${lines[2]}"
	assert_eq "search corp.example" "${lines[3]}"
	assert_eq "$("$HUSK" inspect -f '{{.HostsPath}} {{.ResolvConfPath}}' srv)" \
		"$("$HUSK" inspect -f '{{.HostsPath}} {{.ResolvConfPath}}' "$b")"
	assert_eq "$(stat -L -c %i "/proc/$a/root/etc/hosts")" "$(stat -L -c %i "/proc/$(pid_of "$b")/root/etc/hosts")"
	run --separate-stderr "$HUSK" run --rm --network container:nosuch "$I" true
	assert_eq 125 "$status"
	[[ "$stderr" == *"nosuch"* ]]
}

@test "the host's loopback is out of reach by default and reachable when asked" {
	local port
	port=$(free_port)
	host_server "$port"
	run "$HUSK" run --rm "$I" sh -c "$NC_GET" 10.0.2.2 "$port"
	[[ "$output" != *"host side"* ]]
	run "$HUSK" run --rm --network slirp4netns:allow_host_loopback=true "$I" sh -c "$NC_GET" 10.0.2.2 "$port"
	assert_eq 0 "$status"
	assert_eq "host side" "$output"
	run --separate-stderr "$HUSK" run --rm --network slirp4netns:bogus=1 "$I" true
	assert_eq 125 "$status"
	[[ "$stderr" == *"bogus"* ]]
}

@test "a published UDP port: datagrams reach the container; replies reach the host's loopback only with allow_host_loopback=true; freed by rm" {
	local port
	port=$(free_udp_port)
	udp_echo udp "$port"
	udp_reaches udp "$port" one-way
	! udp_free "$port"
	"$HUSK" rm -f udp >/dev/null
	udp_free "$port"
	# slirp4netns's --disable-host-loopback also drops the replies to a
	# client on the host's loopback (libslirp, podman#4586); asked, they come
	udp_echo udp2 "$port" --network slirp4netns:allow_host_loopback=true
	run udp_ask "$port" ping
	assert_eq 0 "$status"
	assert_eq "echo:ping" "$output"
	"$HUSK" rm -f udp2 >/dev/null
	udp_free "$port"
}

@test "the helper goes with the container: on exit, and when the monitor is SIGKILLed" {
	local id mon slirp
	id=$("$HUSK" run -d "$I" sleep 100)
	mon=$(awk '{ print $4 }' "/proc/$(pid_of "$id")/stat")
	slirp=$(pgrep -P "$mon" -x slirp4netns)
	[ -n "$slirp" ]
	"$HUSK" stop -t 0 "$id" >/dev/null
	for _ in $(seq 50); do dead "$slirp" && break; sleep 0.1; done
	dead "$slirp"
	id=$("$HUSK" run -d "$I" sleep 100)
	mon=$(awk '{ print $4 }' "/proc/$(pid_of "$id")/stat")
	slirp=$(pgrep -P "$mon" -x slirp4netns)
	kill -9 "$mon"
	for _ in $(seq 50); do dead "$slirp" && break; sleep 0.1; done
	dead "$slirp"
	# a foreground run: the helper is husk's child, ended when it returns
	# (husk waits for its exit only when ports are published, so the port
	# is free then)
	local fg p
	for p in "" "-p 127.0.0.1:$(free_port):80"; do
		# shellcheck disable=SC2086
		"$HUSK" run --rm $p "$I" sleep 2 &
		fg=$!
		slirp=
		for _ in $(seq 50); do slirp=$(pgrep -P "$fg" -x slirp4netns || true); [ -z "$slirp" ] || break; sleep 0.1; done
		[ -n "$slirp" ]
		wait "$fg"
		[ -n "$p" ] || for _ in $(seq 50); do dead "$slirp" && break; sleep 0.1; done
		dead "$slirp"
	done
}

@test "with neither helper on PATH: one line saying what to install, 125, nothing left; --network none needs none" {
	local bin=$BATS_TEST_TMPDIR/bin
	path_without "$bin" slirp4netns pasta pasta.avx2 passt passt.avx2
	run --separate-stderr env PATH="$bin" "$HUSK" run --rm "$I" true
	assert_eq 125 "$status"
	assert_eq "husk: the private network needs slirp4netns or pasta, and neither is on PATH (apt-get install slirp4netns; or use --network none or host)" "$stderr"
	run --separate-stderr env PATH="$bin" "$HUSK" run --rm --network pasta "$I" true
	assert_eq 125 "$status"
	assert_eq "husk: --network pasta needs pasta, which is not on PATH (apt-get install passt)" "$stderr"
	run --separate-stderr env PATH="$bin" "$HUSK" run -d --network slirp4netns "$I" true
	assert_eq 125 "$status"
	assert_eq "husk: --network slirp4netns needs slirp4netns, which is not on PATH (apt-get install slirp4netns)" "$stderr"
	run "$HUSK" ps -aq
	assert_eq "" "$output"
	run env PATH="$bin" "$HUSK" run --rm --network none "$I" echo ok
	assert_eq ok "$output"
}

@test "resolv.conf on the private network: the host's resolver, or the helper's when the host's is loopback" {
	run "$HUSK" run --rm "$I" cat /etc/resolv.conf
	assert_eq 0 "$status"
	if grep -qE '^nameserver' /etc/resolv.conf &&
		! grep -E '^nameserver' /etc/resolv.conf | grep -qvE 'nameserver (127\.|::1)'; then
		[[ "$output" == *"nameserver 10.0.2.3"* ]]
		[[ "$output" != *"nameserver 127."* ]]
	else
		assert_eq "$(grep -E '^nameserver' /etc/resolv.conf)" "$(printf '%s\n' "$output" | grep -E '^nameserver')"
	fi
}
