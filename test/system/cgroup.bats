#!/usr/bin/env bats
# Cgroup flags with bad values, as root and rootless: one line, 125, and
# nothing created. What they do: cgroup.root.bats (v1),
# cgroup_v2.root.bats (v2), cgroup.rootless.bats.

load helpers

setup_file() {
	busybox_store
}

teardown_file() {
	busybox_store_teardown
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


@test "bad resource flags: one line, 125, nothing created" {
	local args
	while IFS= read -r args; do
		# shellcheck disable=SC2086
		run --separate-stderr "$HUSK" run --rm --network none $args "$I" true
		# one line (a usage error adds the pointer to --help)
		if [ "$status" -ne 125 ] || [[ "$stderr" != "husk: "* ]] ||
			{ [ "${#stderr_lines[@]}" -ne 1 ] &&
				[ "${stderr_lines[1]:-}" != "see 'husk run --help'" ]; } ||
			[ "${#stderr_lines[@]}" -gt 2 ]; then
			echo "args: $args -> $status: $stderr" >&2
			return 1
		fi
	done <<'EOF'
--memory 1k
--memory abc
--memory -5
--memory-swap 64m
-m 64m --memory-swap 32m
-m 64m --memory-reservation 128m
--memory-reservation 0
--cpus 0
--cpus 0.001
--cpus 4096
--cpus abc
--cpus 1.2.3
--cpu-shares 1
--cpu-shares 300000
--cpuset-cpus 4095
--cpuset-cpus a-b
--cpuset-cpus 1-0
--cpuset-cpus 0,
--pids-limit x
--pids-limit -2
--blkio-weight 5
--blkio-weight 1001
--device dev/null
--device /nonexistent/dev
--device /etc/passwd:/dev/pw
--device /dev/null:rel
--device /dev/null:/dev/x:rwx
--device /dev/null:/tmp/x
--cgroups maybe
--cgroupns maybe
--cgroup-parent ../x
--cgroup-parent a/../../b
--cgroups disabled -m 64m
EOF
	run "$HUSK" ps -aq
	assert_eq "" "$output"
}

@test "pause, unpause, stats and update: bad arguments are one line and 125" {
	local id
	id=$("$HUSK" run -d --network none "$I" sleep 100)
	while IFS= read -r args; do
		# shellcheck disable=SC2086
		run --separate-stderr "$HUSK" $args
		if [ "$status" -ne 125 ] || [[ "$stderr" != "husk: "* ]] ||
			[ "${#stderr_lines[@]}" -gt 2 ]; then
			echo "args: $args -> $status: $stderr" >&2
			return 1
		fi
	done <<EOF2
pause
pause nosuchctr
unpause nosuchctr
pause --bogus $id
stats --no-stream nosuchctr
stats --no-stream --format {{.Bogus}} $id
stats --bogus
update -m 64m
update --cpus abc $id
update -m 1k $id
update --pids-limit -7 $id
update --memory-swap 1g $id
EOF2
	run "$HUSK" inspect -f '{{.State.Status}} {{.State.Paused}}' "$id"
	assert_eq "running false" "$output"
}
