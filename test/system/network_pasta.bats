#!/usr/bin/env bats
# The private network through pasta (passt), as root and rootless: chosen
# with --network pasta, when slirp4netns is missing, or for a port
# published on an IPv6 address (which slirp4netns cannot do). Every server
# listens on 127.0.0.1, ::1 or inside a container's namespace.

load helpers
load network_helpers

setup_file() {
	busybox_store
}

teardown_file() {
	busybox_store_teardown
}

setup() {
	require_registry
	require_cmd pasta slirp4netns curl
}

teardown() {
	local ids
	[ -z "${SRV:-}" ] || kill "$SRV" 2>/dev/null || true
	ids=$("$HUSK" ps -aq 2>/dev/null) || true
	# shellcheck disable=SC2086
	[ -z "$ids" ] || "$HUSK" rm -f $ids >/dev/null 2>&1 || true
}

# pasta_child PID: the pasta started by process PID (husk, or a monitor)
pasta_child() {
	local c
	for c in $(pgrep -P "$1"); do
		tr '\0' ' ' < "/proc/$c/cmdline" | grep -q '^pasta --config-net' && echo "$c"
	done
	return 0
}

# helper_of PID: the pasta serving the container whose first process is PID
helper_of() { pasta_child "$(awk '{ print $4 }' "/proc/$1/stat")"; }

# inside a container: the last line of the body at http://$0:$1/. The
# request's side stays open a second: Debian 12's pasta (2023-03-09)
# repeats the reply forever when the container half-closes first.
NC_GET='{ printf "GET / HTTP/1.0\r\n\r\n"; sleep 1; } | timeout 10 nc -w 5 "$0" "$1" | tail -n 1'

@test "--network pasta: lo and tap0 with slirp4netns's addresses; inspect says pasta" {
	local id
	run "$HUSK" run --rm --network pasta "$I" sh -c 'ls /sys/class/net | tr "\n" ","; echo; ip -4 addr show tap0 | grep -o "inet [0-9./]*"; ip route | grep default'
	assert_eq 0 "$status"
	assert_eq "lo,tap0," "${lines[0]}"
	assert_eq "inet 10.0.2.100/24" "${lines[1]}"
	[[ "${lines[2]}" == "default via 10.0.2.2 dev tap0"* ]]
	id=$("$HUSK" run -d --network pasta "$I" sleep 100)
	run "$HUSK" inspect -f '{{.HostConfig.NetworkMode}} {{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}}' "$id"
	assert_eq "pasta 10.0.2.100 10.0.2.2" "$output"
	[ "$(readlink "/proc/$(pid_of "$id")/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

@test "pasta publishes on 127.0.0.1, on ::1 and on every address; rm frees the ports" {
	local p4 p6 pall
	p4=$(free_port) p6=$(free_port ::1) pall=$(free_port)
	httpd web --network pasta -p "127.0.0.1:$p4:80" -p "[::1]:$p6:80" -p "$pall:80" >/dev/null
	run get "http://127.0.0.1:$p4/"
	[[ "$output" == "hello from "* ]]
	run get "http://[::1]:$p6/"
	[[ "$output" == "hello from "* ]]
	run get "http://127.0.0.1:$pall/"
	[[ "$output" == "hello from "* ]]
	# ::1 was asked for only on $p6
	run curl -fsS --max-time 1 "http://127.0.0.1:$p6/"
	[ "$status" -ne 0 ]
	run "$HUSK" port web 80
	assert_eq 3 "${#lines[@]}"
	[[ "$output" == *"[::1]:$p6"* && "$output" == *"127.0.0.1:$p4"* && "$output" == *"0.0.0.0:$pall"* ]]
	"$HUSK" rm -f web >/dev/null
	run curl -fsS --max-time 1 "http://127.0.0.1:$p4/"
	[ "$status" -ne 0 ]
	run curl -fsS --max-time 1 "http://[::1]:$p6/"
	[ "$status" -ne 0 ]
	# the ports are free again
	httpd web2 --network pasta -p "127.0.0.1:$p4:80" -p "[::1]:$p6:80" >/dev/null
	run get "http://[::1]:$p6/"
	[[ "$output" == "hello from "* ]]
}

@test "an IPv6 host address: the default network takes pasta; slirp4netns is refused naming why" {
	local p6
	p6=$(free_port ::1)
	httpd v6 -p "[::1]:$p6:80" >/dev/null
	run get "http://[::1]:$p6/"
	[[ "$output" == "hello from "* ]]
	run "$HUSK" inspect -f '{{.HostConfig.NetworkMode}}' v6
	assert_eq pasta "$output"
	run --separate-stderr "$HUSK" run -d --network slirp4netns -p "[::1]:$p6:80" "$I" true
	assert_eq 125 "$status"
	assert_eq "husk: slirp4netns cannot publish on an IPv6 address; use --network pasta" "$stderr"
	run "$HUSK" ps -aq
	assert_eq 1 "${#lines[@]}"
}

@test "pasta: the host's loopback is out of reach by default, reachable with allow_host_loopback=true or --map-gw" {
	local port m
	port=$(free_port)
	host_server "$port"
	run "$HUSK" run --rm --network pasta "$I" sh -c "$NC_GET" 10.0.2.2 "$port"
	[[ "$output" != *"host side"* ]]
	# nor is it forwarded to the container's own loopback (-T none)
	run "$HUSK" run --rm --network pasta "$I" sh -c "$NC_GET" 127.0.0.1 "$port"
	[[ "$output" != *"host side"* ]]
	for m in pasta:allow_host_loopback=true pasta:--map-gw; do
		run "$HUSK" run --rm --network "$m" "$I" sh -c "$NC_GET" 10.0.2.2 "$port"
		assert_eq 0 "$status"
		assert_eq "host side" "$output"
	done
	run "$HUSK" inspect -f '{{.HostConfig.NetworkMode}}' "$("$HUSK" run -d --network pasta:--map-gw "$I" true)"
	assert_eq pasta "$output"
	# bad options: one line naming the option, 125, nothing made
	"$HUSK" rm -f "$("$HUSK" ps -aq)" >/dev/null
	for bad in pasta:bogus pasta:--map-gw,-t pasta:allow_host_loopback=maybe slirp4netns:--map-gw; do
		run --separate-stderr "$HUSK" run --rm --network "$bad" "$I" true
		assert_eq 125 "$status"
		[[ "${stderr_lines[0]}" == "husk: invalid --network '$bad': unsupported "*"option '"* ]]
	done
	run "$HUSK" ps -aq
	assert_eq "" "$output"
}

@test "pasta: datagrams to a published UDP port reach the container; the port is freed by rm" {
	local port
	port=$(free_udp_port)
	udp_echo udp "$port" --network pasta
	udp_reaches udp "$port" via-pasta
	! udp_free "$port"
	"$HUSK" rm -f udp >/dev/null
	udp_free "$port"
}

@test "pasta goes with the container: on stop, when the monitor is SIGKILLed, after a foreground run" {
	local id mon h
	id=$("$HUSK" run -d --network pasta "$I" sleep 100)
	h=$(helper_of "$(pid_of "$id")")
	[ -n "$h" ]
	"$HUSK" stop -t 0 "$id" >/dev/null
	for _ in $(seq 50); do dead "$h" && break; sleep 0.1; done
	dead "$h"
	id=$("$HUSK" run -d --network pasta "$I" sleep 100)
	mon=$(awk '{ print $4 }' "/proc/$(pid_of "$id")/stat")
	h=$(helper_of "$(pid_of "$id")")
	[ -n "$h" ]
	kill -9 "$mon"
	for _ in $(seq 50); do dead "$h" && break; sleep 0.1; done
	dead "$h"
	# a foreground run: the helper is husk's child, ended when it returns
	# (husk waits for its exit only when ports are published)
	"$HUSK" run --rm --network pasta "$I" sleep 2 &
	mon=$!
	for _ in $(seq 50); do h=$(pasta_child "$mon"); [ -z "$h" ] || break; sleep 0.1; done
	[ -n "$h" ]
	wait "$mon"
	for _ in $(seq 50); do dead "$h" && break; sleep 0.1; done
	dead "$h"
	"$HUSK" run --rm --network pasta -p "127.0.0.1:$(free_port):80" "$I" sleep 2 &
	mon=$!
	for _ in $(seq 50); do h=$(pasta_child "$mon"); [ -z "$h" ] || break; sleep 0.1; done
	[ -n "$h" ]
	wait "$mon"
	dead "$h"
}

@test "PATH without slirp4netns: the default network is pasta's; without pasta, slirp4netns's" {
	local bin=$BATS_TEST_TMPDIR/nosl bin2=$BATS_TEST_TMPDIR/nopa id port
	path_without "$bin" slirp4netns
	path_without "$bin2" pasta pasta.avx2 passt passt.avx2
	port=$(free_port)
	id=$(env PATH="$bin" "$HUSK" run -d -p "127.0.0.1:$port:80" "$I" sh -c \
		'mkdir -p /www && echo via-fallback > /www/index.html && exec httpd -f -p 80 -h /www')
	run "$HUSK" inspect -f '{{.HostConfig.NetworkMode}}' "$id"
	assert_eq pasta "$output"
	run get "http://127.0.0.1:$port/"
	assert_eq via-fallback "$output"
	[ -n "$(helper_of "$(pid_of "$id")")" ]
	run env PATH="$bin2" "$HUSK" run --rm "$I" sh -c 'ls /sys/class/net | tr "\n" ,'
	assert_eq "lo,tap0," "$output"
	id=$(env PATH="$bin2" "$HUSK" run -d "$I" sleep 100)
	run "$HUSK" inspect -f '{{.HostConfig.NetworkMode}}' "$id"
	assert_eq slirp4netns "$output"
	# a restart finds the helper it was created with
	"$HUSK" stop -t 0 "$id" >/dev/null
	env PATH="$bin2" "$HUSK" start "$id" >/dev/null
	run "$HUSK" exec "$id" sh -c 'ls /sys/class/net | tr "\n" ,'
	assert_eq "lo,tap0," "$output"
}
