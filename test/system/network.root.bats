#!/usr/bin/env bats
# Root networking inside namespaces the test makes (TESTING.md): husk runs
# in an outer namespace "out", joined by a veth pair to a namespace "far"
# that plays the outside world with a web server on 10.201.0.2. The
# machine's own namespace gets no address, route or rule.

load helpers

setup_file() {
	busybox_store
}

teardown_file() {
	[ -d "${HUSK_ROOT:-/nonexistent}" ] || return 0
	# shellcheck disable=SC2046
	"$HUSK" rm -f $("$HUSK" ps -aq) >/dev/null 2>&1 || true
}

setup() {
	require_registry
	require_cmd ip slirp4netns pasta curl
	OUT=huskt-out-$$ FAR=huskt-far-$$
	ip netns add "$OUT"
	ip netns add "$FAR"
	ip link add "hko$$" type veth peer name "hkf$$"
	ip link set "hko$$" netns "$OUT"
	ip link set "hkf$$" netns "$FAR"
	ip -n "$OUT" addr add 10.201.0.1/24 dev "hko$$"
	ip -n "$FAR" addr add 10.201.0.2/24 dev "hkf$$"
	ip -n "$OUT" link set lo up
	ip -n "$FAR" link set lo up
	ip -n "$OUT" link set "hko$$" up
	ip -n "$FAR" link set "hkf$$" up
	ip -n "$OUT" route add default via 10.201.0.2
	mkdir -p "$BATS_TEST_TMPDIR/www"
	echo "from far away" > "$BATS_TEST_TMPDIR/www/index.html"
	ip netns exec "$FAR" $PY -m http.server --bind 10.201.0.2 \
		--directory "$BATS_TEST_TMPDIR/www" 8080 >/dev/null 2>&1 &
	SRV=$!
	for _ in $(seq 50); do
		ip netns exec "$OUT" curl -fsS --max-time 1 http://10.201.0.2:8080/ >/dev/null 2>&1 && break
		sleep 0.1
	done
}

teardown() {
	local ids
	ids=$("$HUSK" ps -aq 2>/dev/null) || true
	# shellcheck disable=SC2086
	[ -z "$ids" ] || in_out "$HUSK" rm -f $ids >/dev/null 2>&1 || true
	[ -z "${SRV:-}" ] || kill "$SRV" 2>/dev/null || true
	[ -z "${USTORE:-}" ] || rm -rf "$USTORE"
	ip netns del "$OUT" 2>/dev/null || true
	ip netns del "$FAR" 2>/dev/null || true
}

# nsenter, not `ip netns exec`: that one also mounts a new /sys, without
# the cgroup hierarchies
in_out() { nsenter --net="/run/netns/$OUT" "$@"; }

# inside a container: the last line of the body at http://$0:$1/ (the
# request side kept open a second: network_pasta.bats says why)
NC_GET='{ printf "GET / HTTP/1.0\r\n\r\n"; sleep 1; } | timeout 10 nc -w 5 "$0" "$1" | tail -n 1'

# user_husk [--out] ARGS...: husk as the unprivileged user huskci, with a
# store of its own (USTORE) and no pinned user namespace left behind; in
# the outer namespace with --out
user_husk() {
	local ns=()
	[ "$1" != --out ] || { ns=(nsenter --net="/run/netns/$OUT"); shift; }
	"${ns[@]}" runuser -u huskci -- env -i PATH=/usr/bin:/bin HOME="$USTORE" \
		XDG_RUNTIME_DIR="$USTORE/xdg" HUSK_NO_PAUSE=1 \
		HUSK_ROOT="$USTORE/root" HUSK_RUNROOT="$USTORE/run" "$HUSK" "$@"
}


@test "outbound: a container on the default network reaches a server outside" {
	local h
	for h in private slirp4netns pasta; do
		run in_out "$HUSK" run --rm --network "$h" "$I" sh -c "$NC_GET" 10.201.0.2 8080
		assert_eq 0 "$status"
		assert_eq "from far away" "$output"
	done
	# --network none cannot
	run in_out "$HUSK" run --rm --network none "$I" sh -c "$NC_GET" 10.201.0.2 8080
	[[ "$output" != *"far away"* ]]
}

@test "published ports live in the namespace husk runs in, not the machine's" {
	local port=18088
	in_out "$HUSK" run -d --name web -p "127.0.0.1:$port:80" "$I" sh -c \
		'mkdir -p /www && echo inside > /www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
	for _ in $(seq 50); do
		in_out curl -fsS --max-time 1 "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
		sleep 0.1
	done
	run in_out curl -fsS --max-time 2 "http://127.0.0.1:$port/"
	assert_eq inside "$output"
	# the machine's own loopback has no such listener
	run curl -fsS --max-time 1 "http://127.0.0.1:$port/"
	[ "$status" -ne 0 ]
	# and the outer namespace got no new interface from husk
	run ip -n "$OUT" -br link
	[[ "$output" != *tap* ]]
}

@test "outbound, rootless: the user's container reaches the server outside through either helper" {
	id huskci >/dev/null 2>&1 || skip "no user huskci (created by .ci/run)"
	local h
	USTORE=$(mktemp -d /tmp/husk-netu.XXXXXX)
	mkdir -p "$USTORE/xdg"
	chown -R huskci "$USTORE"
	chmod 700 "$USTORE/xdg"
	# the image comes from the registry on the machine's loopback; the runs
	# happen in the outer namespace
	user_husk pull -q "$I" >/dev/null
	for h in slirp4netns pasta; do
		run user_husk --out run --rm --network "$h" "$I" sh -c "$NC_GET" 10.201.0.2 8080
		assert_eq 0 "$status"
		assert_eq "from far away" "$output"
	done
	# and --network none cannot
	run user_husk --out run --rm --network none "$I" sh -c "$NC_GET" 10.201.0.2 8080
	[[ "$output" != *"far away"* ]]
}
