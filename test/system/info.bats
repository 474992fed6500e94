#!/usr/bin/env bats
# husk info: every fact is compared with what the system itself says.

load helpers

setup() {
	husk_test_dirs
	require_cmd jq
}

info_json() {
	run --separate-stderr "$HUSK" info --format json
	[ "$status" -eq 0 ]
	json=$output
}

@test "info reports the kernel, the user and the store paths" {
	info_json
	assert_eq "$(uname -r)" "$(jq -r .kernel <<<"$json")"
	assert_eq "$(uname -m)" "$(jq -r .arch <<<"$json")"
	assert_eq "$(id -u)" "$(jq -r .uid <<<"$json")"
	if is_root; then want=false; else want=true; fi
	assert_eq "$want" "$(jq -r .rootless <<<"$json")"
	assert_eq "$HUSK_ROOT" "$(jq -r .store.root <<<"$json")"
	assert_eq "$HUSK_RUNROOT" "$(jq -r .store.runroot <<<"$json")"
}

@test "--root and --runroot override the environment" {
	run "$HUSK" --root /x/store --runroot /x/run info --format json
	[ "$status" -eq 0 ]
	assert_eq /x/store "$(jq -r .store.root <<<"$output")"
	assert_eq /x/run "$(jq -r .store.runroot <<<"$output")"
}

@test "default store paths follow root / XDG conventions" {
	unset HUSK_ROOT HUSK_RUNROOT
	run env -u HUSK_ROOT -u HUSK_RUNROOT XDG_DATA_HOME=/xdg/data \
		XDG_RUNTIME_DIR=/xdg/run "$HUSK" info --format json
	[ "$status" -eq 0 ]
	if is_root; then
		assert_eq /var/lib/husk "$(jq -r .store.root <<<"$output")"
		assert_eq /run/husk "$(jq -r .store.runroot <<<"$output")"
	else
		assert_eq /xdg/data/husk "$(jq -r .store.root <<<"$output")"
		assert_eq /xdg/run/husk "$(jq -r .store.runroot <<<"$output")"
	fi
}

@test "info's text form shows the same facts" {
	run --separate-stderr "$HUSK" info
	[ "$status" -eq 0 ]
	[[ "$output" == *"store"*"$HUSK_ROOT"* ]]
	if is_root; then
		[[ "$output" == *"rootless"*"no (uid 0"* ]]
	else
		[[ "$output" == *"rootless"*"yes (uid $(id -u)"* ]]
	fi
	[[ "$output" == *"[ok]"*"user namespaces"*"usable"* ]]
}

@test "user namespaces and overlayfs are probed for real" {
	info_json
	# the same operations, done by util-linux: they must agree with husk
	if unshare -Ur true 2>/dev/null; then want=ok; else want=missing; fi
	assert_eq "$want" "$(jq -r .checks.userns.status <<<"$json")"
	d=$(mktemp -d "$BATS_TEST_TMPDIR/ov.XXXXXX")
	mkdir "$d/l" "$d/u" "$d/w" "$d/m"
	if is_root; then
		cmd=(unshare -m mount -t overlay overlay -o "lowerdir=$d/l,upperdir=$d/u,workdir=$d/w" "$d/m")
	else
		cmd=(unshare -Urm mount -t overlay overlay -o "lowerdir=$d/l,upperdir=$d/u,workdir=$d/w,userxattr" "$d/m")
	fi
	if "${cmd[@]}"; then want=ok; else want=missing; fi
	assert_eq "$want" "$(jq -r .checks.overlay.status <<<"$json")"
	# the probe cleans up after itself
	run bash -c "ls -A '$HUSK_ROOT' 2>/dev/null | grep -c husk-probe"
	assert_eq 0 "$output"
}

@test "the cgroup version and controllers match /proc" {
	info_json
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then v=2; else v=1; fi
	assert_eq "$v" "$(jq -r .cgroup.version <<<"$json")"
	if [ "$v" = 1 ]; then
		# every named v1 controller of /proc/self/cgroup is listed
		want=$(awk -F: '$2 != "" && $2 !~ /^name=/ { n = split($2, a, ","); for (i = 1; i <= n; i++) print a[i] }' /proc/self/cgroup | sort -u)
		got=$(jq -r '.cgroup.controllers[]' <<<"$json" | sort -u)
		for c in $want; do grep -qx "$c" <<<"$got"; done
		grep -q cgroup2 /proc/self/mountinfo && assert_eq true "$(jq -r .cgroup.hybrid <<<"$json")"
	fi
	if is_root; then
		assert_eq ok "$(jq -r .checks.cgroup_usable.status <<<"$json")"
	elif [ "$v" = 1 ]; then
		assert_eq warn "$(jq -r .checks.cgroup_usable.status <<<"$json")"
		[[ "$(jq -r .checks.cgroup_usable.hint <<<"$json")" == *"cgroup v2"* ]]
	fi
}

@test "the subordinate id ranges are those of /etc/subuid and /etc/subgid" {
	info_json
	if is_root; then
		# root maps ids directly: no ranges, no helpers to report
		assert_eq 0 "$(jq -r '.subuid | length' <<<"$json")"
		assert_eq null "$(jq -r .checks.newuidmap <<<"$json")"
		return
	fi
	for f in subuid subgid; do
		want=$(awk -F: -v u="$(id -un)" -v n="$(id -u)" '($1 == u || $1 == n) { printf "%s:%s\n", $2, $3 }' "/etc/$f")
		got=$(jq -r ".$f[] | \"\(.start):\(.count)\"" <<<"$json")
		assert_eq "$want" "$got"
		if [ -n "$want" ]; then
			assert_eq ok "$(jq -r .checks.$f.status <<<"$json")"
		else
			assert_eq warn "$(jq -r .checks.$f.status <<<"$json")"
		fi
	done
	assert_eq ok "$(jq -r .checks.newuidmap.status <<<"$json")"
	assert_eq ok "$(jq -r .checks.newgidmap.status <<<"$json")"
}

@test "missing helpers are reported with what to install" {
	info_json
	local full=$json
	if command -v slirp4netns >/dev/null; then
		assert_eq "$(command -v slirp4netns)" "$(jq -r .checks.slirp4netns.value <<<"$full")"
	fi
	# a PATH where none of the helpers exist
	run --separate-stderr env PATH=/nonexistent "$HUSK" info --format json
	[ "$status" -eq 0 ]
	json=$output
	assert_eq missing "$(jq -r .checks.slirp4netns.status <<<"$json")"
	assert_eq "apt-get install slirp4netns" "$(jq -r .checks.slirp4netns.hint <<<"$json")"
	assert_eq missing "$(jq -r .checks.pasta.status <<<"$json")"
	assert_eq "apt-get install passt" "$(jq -r .checks.pasta.hint <<<"$json")"
	assert_eq warn "$(jq -r .checks.fuse_overlayfs.status <<<"$json")"
	if ! is_root; then
		assert_eq missing "$(jq -r .checks.newuidmap.status <<<"$json")"
		[[ "$(jq -r .checks.newuidmap.hint <<<"$json")" == *"uidmap"* ]]
		assert_eq missing "$(jq -r .checks.network.status <<<"$json")"
	fi
}

@test "/dev/net/tun access is what open(2) says" {
	info_json
	# a subshell, so the fd never touches bats's own (3 is bats's)
	if (exec 7<>/dev/net/tun) 2>/dev/null; then want=ok; else want=missing; fi
	assert_eq "$want" "$(jq -r .checks.tun.status <<<"$json")"
}
