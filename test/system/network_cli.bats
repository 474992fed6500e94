#!/usr/bin/env bats
# The networking CLI around the network itself: run's --dns, --dns-search,
# --dns-option and --add-host (the container's /etc/resolv.conf and
# /etc/hosts), `husk port`, ps's PORTS column and its publish= and expose=
# filters, and inspect's NetworkSettings. As root and rootless.
#
# Most tests use --network none, which needs no helper. Where ports are
# shown, the container's record is given them the way `husk run -p`
# records them (docker's NetworkSettings.Ports in state.json), so what
# port, ps and inspect make of them is checked apart from publishing.

# shellcheck disable=SC2016,SC2154
# (SC2016: jq programs and templates in single quotes; SC2154: bats's
# `run` sets stderr_lines)

load helpers

setup_file() {
	busybox_store
}

teardown_file() {
	[ -d "${HUSK_ROOT:-/nonexistent}" ] || return 0
	if ! is_root; then
		"$HUSK" unshare rm -rf "$HUSK_ROOT"
	fi
}

setup() {
	require_registry
}

teardown() {
	local ids
	ids=$("$HUSK" ps -aq 2>/dev/null) || true
	# shellcheck disable=SC2086
	[ -z "$ids" ] || "$HUSK" rm -f $ids >/dev/null 2>&1 || true
}

# bad WANT ARGS...: `husk ARGS` fails with 125, prints nothing on stdout,
# and stderr is the line WANT (then, for usage errors, the help hint)
bad() {
	local want=$1
	shift
	run --separate-stderr "$HUSK" "$@"
	if [ "$status" -ne 125 ]; then
		echo "status $status for husk $*: $output $stderr" >&2
		return 1
	fi
	assert_eq "$want" "${stderr_lines[0]}"
	[ -z "$output" ] || { echo "stdout: $output" >&2; return 1; }
	[ "${#stderr_lines[@]}" -le 2 ] || { echo "stderr: $stderr" >&2; return 1; }
	if [ "${#stderr_lines[@]}" -eq 2 ]; then
		[[ "${stderr_lines[1]}" =~ ^see\ \'husk\ [a-z]+(\ [a-z]+)?\ --help\'$ ]] ||
			{ echo "stderr: $stderr" >&2; return 1; }
	fi
}

# in_ctr FILE ARGS...: FILE as a container run with ARGS (--network none)
# sees it
in_ctr() {
	local f=$1
	shift
	"$HUSK" run --rm --network none "$@" "$I" cat "$f"
}

# host_line KEY: the host's last KEY line of resolv.conf, as husk writes
# it ("search a b"), or nothing
host_line() {
	grep -E "^[[:space:]]*$1[[:space:]]" /etc/resolv.conf | tail -n1 |
		sed -E "s/^[[:space:]]*$1[[:space:]]+/$1 /" || true
}

# host_nameservers: the host's nameserver lines, as husk writes them
host_nameservers() {
	awk '$1 == "nameserver" { print "nameserver " $2 }' /etc/resolv.conf
}

# lines TEXT...: the arguments, one a line, without empty ones
lines() {
	local l
	for l in "$@"; do
		[ -z "$l" ] || printf '%s\n' "$l"
	done
}

# record C JQ: changes C's record (state.json) with the jq program JQ, as
# `husk run` would have written it (tmp + rename, as ctr_save does)
record() {
	local id f
	id=$("$HUSK" inspect -f '{{.Id}}' "$1")
	f="$HUSK_ROOT/containers/$id/state.json"
	jq "$2" "$f" >"$f.tmp"
	mv "$f.tmp" "$f"
}

# What `husk run -p` records for -p 127.0.0.1:8000:80 -p 40001:53/udp
# -p 8080:8080 -p 8081:8081 -p 8443:443 (every address, IPv4 and IPv6),
# and a port that is only exposed (null: docker's shape for EXPOSE)
PORTS='{
  "80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8000"}],
  "53/udp": [{"HostIp": "0.0.0.0", "HostPort": "40001"}],
  "8080/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}],
  "8081/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8081"}],
  "443/tcp": [{"HostIp": "::", "HostPort": "8443"},
              {"HostIp": "0.0.0.0", "HostPort": "8443"}],
  "9000/tcp": null
}'

# with_ports NAME: a running container on --network none whose record
# says it runs on the private network with $PORTS published
with_ports() {
	"$HUSK" run -d --network none --name "$1" "$I" sleep 300 >/dev/null
	record "$1" ".ports = $PORTS | .hostConfig.NetworkMode = \"slirp4netns\"
		| .hostConfig.PortBindings = ($PORTS | with_entries(select(.value != null)))"
}

# ---- /etc/hosts --------------------------------------------------------------------

@test "--add-host: IP<TAB>NAME lines after localhost's, before the container's own name" {
	run --separate-stderr in_ctr /etc/hosts -h myhost \
		--add-host a.example:10.1.2.3 --add-host b=fd00::1 \
		--add-host 'c:[::2]' --add-host d:::ffff:1.2.3.4 --add-host a.example:10.9.9.9
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	assert_eq "$(printf '%s\n' \
		"127.0.0.1	localhost" \
		"::1	localhost ip6-localhost ip6-loopback" \
		"10.1.2.3	a.example" \
		"fd00::1	b" \
		"::2	c" \
		"::ffff:1.2.3.4	d" \
		"10.9.9.9	a.example" \
		"127.0.1.1	myhost")" "$output"
}

@test "--add-host NAME:host-gateway: the host's address on --network host, refused on none" {
	run --separate-stderr "$HUSK" run --rm --network host \
		--add-host gw:host-gateway "$I" grep -w gw /etc/hosts
	[ "$status" -eq 0 ]
	assert_eq "127.0.0.1	gw" "$output"

	bad "husk: invalid --add-host 'gw:host-gateway': host-gateway needs a network (not --network none)" \
		run --rm --network none --add-host gw:host-gateway "$I" true
	bad "husk: invalid --add-host 'gw:host-gateway': host-gateway needs a network (not --network none)" \
		run --network none --add-host gw=host-gateway --name hg "$I" true
	# nothing left behind: no container, no name
	assert_eq "" "$("$HUSK" ps -aq)"
	run --separate-stderr "$HUSK" run -d --network none --name hg "$I" true
	[ "$status" -eq 0 ]
}

# ---- /etc/resolv.conf ----------------------------------------------------------------

@test "resolv.conf: without --dns flags, the host's file as it is (--network none and host)" {
	run --separate-stderr in_ctr /etc/resolv.conf
	[ "$status" -eq 0 ]
	assert_eq "$(cat /etc/resolv.conf)" "$output"
	run --separate-stderr "$HUSK" run --rm --network host "$I" cat /etc/resolv.conf
	[ "$status" -eq 0 ]
	assert_eq "$(cat /etc/resolv.conf)" "$output"
}

@test "resolv.conf: --dns, --dns-search and --dns-option replace the host's, in docker's order" {
	run --separate-stderr in_ctr /etc/resolv.conf --dns 1.1.1.1 \
		--dns 2001:db8::1 --dns-search a.example --dns-search b.example. \
		--dns-option ndots:2 --dns-option edns0
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	assert_eq "$(printf '%s\n' "nameserver 1.1.1.1" "nameserver 2001:db8::1" \
		"search a.example b.example." "options ndots:2 edns0")" "$output"
}

@test "resolv.conf: each --dns flag replaces only its own part; --dns-search . drops the search line" {
	# --dns alone: the host's search and options stay
	run --separate-stderr in_ctr /etc/resolv.conf --dns 9.9.9.9
	[ "$status" -eq 0 ]
	assert_eq "$(lines "nameserver 9.9.9.9" "$(host_line search)" \
		"$(host_line options)")" "$output"

	# --dns-search alone: the host's nameservers (none is filtered off
	# the private network) and options stay
	run --separate-stderr in_ctr /etc/resolv.conf --dns-search x.example
	[ "$status" -eq 0 ]
	assert_eq "$(lines "$(host_nameservers)" "search x.example" \
		"$(host_line options)")" "$output"

	# "." means no search domains at all
	run --separate-stderr in_ctr /etc/resolv.conf --dns 9.9.9.9 --dns-search .
	[ "$status" -eq 0 ]
	assert_eq "$(lines "nameserver 9.9.9.9" "$(host_line options)")" "$output"

	# --dns-option alone
	run --separate-stderr in_ctr /etc/resolv.conf --dns-option timeout:1
	[ "$status" -eq 0 ]
	assert_eq "$(lines "$(host_nameservers)" "$(host_line search)" \
		"options timeout:1")" "$output"
}

@test "resolv.conf on the private network: the host's loopback nameservers left out, 10.0.2.3 when none is left" {
	local want
	want=$(awk '$1 == "nameserver" && $2 !~ /^127\./ && $2 != "::1" { print "nameserver " $2 }' /etc/resolv.conf)
	[ -n "$want" ] || want="nameserver 10.0.2.3"
	run --separate-stderr "$HUSK" run --rm "$I" grep '^nameserver' /etc/resolv.conf
	[ "$status" -eq 0 ]
	assert_eq "$want" "$output"
	# the same with another part replaced
	run --separate-stderr "$HUSK" run --rm --dns-search x.example "$I" cat /etc/resolv.conf
	[ "$status" -eq 0 ]
	assert_eq "$(lines "$want" "search x.example" "$(host_line options)")" "$output"
	# given with --dns, as given: loopback too (a resolver in the container)
	run --separate-stderr "$HUSK" run --rm --dns 127.0.0.1 --dns ::1 "$I" cat /etc/resolv.conf
	[ "$status" -eq 0 ]
	assert_eq "$(lines "nameserver 127.0.0.1" "nameserver ::1" "$(host_line search)" \
		"$(host_line options)")" "$output"
}

@test "--add-host NAME:host-gateway on the private network: the helper's address of the host" {
	run --separate-stderr "$HUSK" run --rm --add-host gw:host-gateway \
		--add-host 'h=[10.0.0.1]' "$I" grep -E -w 'gw|h' /etc/hosts
	[ "$status" -eq 0 ]
	assert_eq "$(printf '10.0.2.2\tgw\n10.0.0.1\th')" "$output"
}

# ---- bad values --------------------------------------------------------------------

@test "--dns, --dns-search, --dns-option, --add-host: bad values are 125, one line, nothing created" {
	bad "husk: invalid --dns '1.2.3': an IPv4 or IPv6 address expected" \
		run --network none --dns 1.2.3 "$I" true
	bad "husk: invalid --dns 'example.com': an IPv4 or IPv6 address expected" \
		run --network none --dns example.com "$I" true
	bad "husk: invalid --dns '[::1]': an IPv4 or IPv6 address expected" \
		run --network none --dns '[::1]' "$I" true
	bad "husk: invalid --dns-search 'a b': a domain name expected" \
		run --network none --dns-search 'a b' "$I" true
	bad "husk: invalid --dns-search '-a.example': a domain name expected" \
		run --network none --dns-search -a.example "$I" true
	bad "husk: invalid --dns-search 'a..b': a domain name expected" \
		run --network none --dns-search a..b "$I" true
	bad "husk: invalid --dns-option 'ndots:2 rotate': one option such as ndots:2 expected" \
		run --network none --dns-option 'ndots:2 rotate' "$I" true
	bad "husk: invalid --dns-option '': one option such as ndots:2 expected" \
		run --network none --dns-option '' "$I" true
	bad "husk: invalid --add-host 'nohost': NAME:IP expected" \
		run --network none --add-host nohost "$I" true
	bad "husk: invalid --add-host ':1.2.3.4': NAME:IP expected" \
		run --network none --add-host :1.2.3.4 "$I" true
	bad "husk: invalid --add-host 'a:notanip': 'notanip' is not an IP address (nor host-gateway)" \
		run --network none --add-host a:notanip "$I" true
	bad "husk: invalid --add-host 'a:1.2.3': '1.2.3' is not an IP address (nor host-gateway)" \
		run --network none --add-host a:1.2.3 "$I" true
	bad "husk: invalid --add-host 'a b:1.2.3.4': 'a b' is not a host name" \
		run --network none --add-host 'a b:1.2.3.4' "$I" true
	bad "husk: invalid --add-host 'a#b:1.2.3.4': 'a#b' is not a host name" \
		run --network none --add-host 'a#b:1.2.3.4' "$I" true
	# a line break would start a line of its own in the file
	run --separate-stderr "$HUSK" run --network none \
		--add-host "a"$'\n'"1.2.3.4 evil:1.2.3.4" "$I" true
	[ "$status" -eq 125 ]
	[[ "${stderr_lines[0]}" == "husk: invalid --add-host 'a" ]]
	run --separate-stderr "$HUSK" run --network none \
		--dns-option "ndots:1"$'\n'"nameserver 6.6.6.6" "$I" true
	[ "$status" -eq 125 ]
	assert_eq "" "$("$HUSK" ps -aq)"
	[ -z "$(ls "$HUSK_ROOT/containers")" ]
}

@test "--dns flags, --add-host and --hostname cannot go with --network container:NAME" {
	"$HUSK" run -d --network none --name base "$I" sleep 300 >/dev/null
	bad "husk: --dns cannot go with --network container:NAME (that container's resolv.conf is used)" \
		run --rm --network container:base --dns 1.1.1.1 "$I" true
	bad "husk: --dns-search cannot go with --network container:NAME (that container's resolv.conf is used)" \
		run --rm --network container:base --dns-search a.example "$I" true
	bad "husk: --add-host cannot go with --network container:NAME (that container's hosts file is used)" \
		run --rm --network container:base --add-host a:1.2.3.4 "$I" true
	bad "husk: --hostname cannot go with --network container:NAME (that container's host name is used)" \
		run --rm --network container:base -h other "$I" true
	assert_eq "$("$HUSK" ps -q --no-trunc -f name=base)" "$("$HUSK" ps -aq --no-trunc)"
}

# ---- husk port ---------------------------------------------------------------------

@test "port: usage errors are 125 with the help hint" {
	bad "husk: port needs a container" port
	bad "husk: port takes a container and at most one port" port a 80 81
	bad "husk: invalid port '80/xyz': PORT[/PROTO] expected (tcp, udp or sctp)" port a 80/xyz
	bad "husk: invalid port 'http': PORT[/PROTO] expected (tcp, udp or sctp)" port a http
	bad "husk: invalid port '0': PORT[/PROTO] expected (tcp, udp or sctp)" port a 0
	bad "husk: invalid port '65536': PORT[/PROTO] expected (tcp, udp or sctp)" port a 65536
	bad "husk: invalid port '80/': PORT[/PROTO] expected (tcp, udp or sctp)" port a 80/
	bad "husk: invalid port '80-81': PORT[/PROTO] expected (tcp, udp or sctp)" port a 80-81
	bad "husk: unknown option '--nope'" port --nope a
	bad "husk: no such container 'nosuch'" port nosuch
	run --separate-stderr "$HUSK" port --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: husk port CONTAINER [PRIVATE_PORT[/PROTO]]" ]]
}

@test "port: a container without published ports prints nothing; asking for one names it" {
	"$HUSK" run -d --network none --name np "$I" sleep 300 >/dev/null
	run --separate-stderr "$HUSK" port np
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	bad "husk: no public port '81/tcp' published for 'np'" port np 81
	bad "husk: no public port '53/udp' published for 'np'" port np 53/udp
	bad "husk: no public port '81/tcp' published for 'np'" container port np 81/tcp
}

@test "port: every mapping in port order, or the host addresses of one port" {
	with_ports pp
	run --separate-stderr "$HUSK" port pp
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	assert_eq "$(printf '%s\n' \
		"53/udp -> 0.0.0.0:40001" \
		"80/tcp -> 127.0.0.1:8000" \
		"443/tcp -> 0.0.0.0:8443" \
		"443/tcp -> [::]:8443" \
		"8080/tcp -> 0.0.0.0:8080" \
		"8081/tcp -> 0.0.0.0:8081")" "$output"

	assert_eq "127.0.0.1:8000" "$("$HUSK" port pp 80)"
	assert_eq "127.0.0.1:8000" "$("$HUSK" port pp 80/tcp)"
	assert_eq "$(printf '0.0.0.0:8443\n[::]:8443')" "$("$HUSK" port pp 443)"
	assert_eq "0.0.0.0:40001" "$("$HUSK" container port pp 53/udp)"
	# the same number, the other protocol; a port only exposed
	bad "husk: no public port '53/tcp' published for 'pp'" port pp 53
	bad "husk: no public port '80/udp' published for 'pp'" port pp 80/udp
	bad "husk: no public port '9000/tcp' published for 'pp'" port pp 9000
	# by id prefix too: the name in the message is what was asked for
	local id
	id=$("$HUSK" inspect -f '{{.Id}}' pp)
	assert_eq "127.0.0.1:8000" "$("$HUSK" port "${id:0:12}" 80)"
	bad "husk: no public port '1/tcp' published for '${id:0:12}'" port "${id:0:12}" 1
}

# ---- ps ----------------------------------------------------------------------------------

@test "ps: PORTS in docker's form, ranges of same-numbered ports grouped, the others after them" {
	with_ports pp
	"$HUSK" run -d --network none --name np "$I" sleep 300 >/dev/null
	assert_eq "0.0.0.0:8080-8081->8080-8081/tcp, 9000/tcp, 0.0.0.0:40001->53/udp, 127.0.0.1:8000->80/tcp, 0.0.0.0:8443->443/tcp, [::]:8443->443/tcp" \
		"$("$HUSK" ps -f name=pp --format '{{.Ports}}')"
	assert_eq "" "$("$HUSK" ps -f name=np --format '{{.Ports}}')"
	# the default table has the column; json has the field
	run --separate-stderr "$HUSK" ps -f name=pp
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"   PORTS   "* ]]
	[[ "${lines[1]}" == *"   0.0.0.0:8080-8081->8080-8081/tcp, 9000/tcp, "*"   pp" ]]
	assert_eq "0.0.0.0:8080-8081->8080-8081/tcp, 9000/tcp, 0.0.0.0:40001->53/udp, 127.0.0.1:8000->80/tcp, 0.0.0.0:8443->443/tcp, [::]:8443->443/tcp" \
		"$("$HUSK" ps -f name=pp --format json | jq -r .Ports)"
}

@test "ps: publish= and expose= match container ports (a number, a range, a protocol)" {
	with_ports pp
	"$HUSK" run -d --network none --name np "$I" sleep 300 >/dev/null
	local f
	for f in publish=80 publish=80/tcp publish=53/udp publish=440-450 publish=8081 \
		expose=80 expose=9000 expose=9000/tcp expose=53/udp expose=1-65535; do
		assert_eq pp "$("$HUSK" ps -f "$f" --format '{{.Names}}')"
	done
	# host ports are not container ports; 9000 is exposed, not published
	for f in publish=8000 publish=53 publish=53/tcp publish=80/udp publish=9000 \
		expose=81 expose=53/tcp expose=80/sctp; do
		assert_eq "" "$("$HUSK" ps -f "$f" --format '{{.Names}}')"
	done
	# the same key ORs, another key ANDs
	assert_eq pp "$("$HUSK" ps -f publish=1 -f publish=80 --format '{{.Names}}')"
	assert_eq "" "$("$HUSK" ps -f publish=80 -f name=np --format '{{.Names}}')"
	bad "husk: invalid filter 'publish=80:80': PORT[/PROTO] or FIRST-LAST[/PROTO] expected" \
		ps -f publish=80:80
	bad "husk: invalid filter 'expose=81-80': PORT[/PROTO] or FIRST-LAST[/PROTO] expected" \
		ps -f expose=81-80
	bad "husk: invalid filter 'publish=80/icmp': PORT[/PROTO] or FIRST-LAST[/PROTO] expected" \
		ps -f publish=80/icmp
}

# ---- a real mapping ----------------------------------------------------------------

@test "run -p: port, ps and inspect agree on a published port" {
	local port id
	port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	id=$("$HUSK" run -d -p "127.0.0.1:$port:80" --name web "$I" sleep 300)
	assert_eq "80/tcp -> 127.0.0.1:$port" "$("$HUSK" port web)"
	assert_eq "127.0.0.1:$port" "$("$HUSK" port "$id" 80/tcp)"
	assert_eq "127.0.0.1:$port->80/tcp" "$("$HUSK" ps -f id="$id" --format '{{.Ports}}')"
	assert_eq "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$port\"}]}" \
		"$("$HUSK" inspect -f '{{json .NetworkSettings.Ports}}' web)"
	assert_eq "10.0.2.100/24 via 10.0.2.2" \
		"$("$HUSK" inspect -f '{{.NetworkSettings.IPAddress}}/{{.NetworkSettings.IPPrefixLen}} via {{.NetworkSettings.Gateway}}' web)"
	assert_eq web "$("$HUSK" ps -f publish=80 --format '{{.Names}}')"
	assert_eq web "$("$HUSK" ps -f expose=80/tcp --format '{{.Names}}')"
	bad "husk: no public port '81/tcp' published for 'web'" port web 81
}

# ---- inspect ------------------------------------------------------------------------------

@test "inspect: NetworkSettings has the record's ports and the private network's addresses while it runs" {
	with_ports pp
	assert_eq "$(jq -cS . <<<"$PORTS")" \
		"$("$HUSK" inspect -f '{{json .NetworkSettings.Ports}}' pp)"
	# a binding prints as docker's PortBinding struct
	assert_eq "[{127.0.0.1 8000}]" \
		"$("$HUSK" inspect -f '{{index .NetworkSettings.Ports "80/tcp"}}' pp)"
	assert_eq "10.0.2.100 24 10.0.2.2 ''" \
		"$("$HUSK" inspect -f "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.IPPrefixLen}} {{.NetworkSettings.Gateway}} '{{.NetworkSettings.MacAddress}}'" pp)"

	# stopped: docker forgets the ports and the address
	"$HUSK" stop -t 0 pp >/dev/null
	assert_eq "{}" "$("$HUSK" inspect -f '{{json .NetworkSettings.Ports}}' pp)"
	assert_eq "'' 0 ''" \
		"$("$HUSK" inspect -f "'{{.NetworkSettings.IPAddress}}' {{.NetworkSettings.IPPrefixLen}} '{{.NetworkSettings.Gateway}}'" pp)"
	run --separate-stderr "$HUSK" port pp
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	bad "husk: no public port '80/tcp' published for 'pp'" port pp 80
	assert_eq "" "$("$HUSK" ps -a -f name=pp --format '{{.Ports}}')"
	# the filters look at what the container was asked for, as docker's
	assert_eq pp "$("$HUSK" ps -a -f publish=80 --format '{{.Names}}')"
}

@test "inspect: --network none and host have no address and no ports" {
	"$HUSK" run -d --network none --name nn "$I" sleep 300 >/dev/null
	"$HUSK" run -d --network host --name nh "$I" sleep 300 >/dev/null
	local c
	for c in nn nh; do
		assert_eq "{} '' 0 '' ''" \
			"$("$HUSK" inspect -f "{{json .NetworkSettings.Ports}} '{{.NetworkSettings.IPAddress}}' {{.NetworkSettings.IPPrefixLen}} '{{.NetworkSettings.Gateway}}' '{{.NetworkSettings.MacAddress}}'" "$c")"
	done
}
