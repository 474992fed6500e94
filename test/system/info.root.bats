#!/usr/bin/env bats
# husk info facts that only root can set up: another user's view.
# (test/run.sh runs *.root.bats only as root, *.rootless.bats only as others)

load helpers

setup() {
	husk_test_dirs
	require_cmd jq
}

@test "a user with no subordinate ids is told how to add them" {
	id huskci-nosub >/dev/null 2>&1 || skip "no user huskci-nosub (created by .ci/run)"
	run runuser -u huskci-nosub -- env -i PATH=/usr/bin:/bin HOME=/tmp "$HUSK" info --format json
	[ "$status" -eq 0 ]
	assert_eq true "$(jq -r .rootless <<<"$output")"
	assert_eq 0 "$(jq -r '.subuid | length' <<<"$output")"
	assert_eq warn "$(jq -r .checks.subuid.status <<<"$output")"
	hint=$(jq -r .checks.subuid.hint <<<"$output")
	[[ "$hint" == *"usermod --add-subuids "*" huskci-nosub"* ]]
	# the suggested range does not overlap any existing one
	from=$(sed -E 's/.*--add-subuids ([0-9]+)-.*/\1/' <<<"$hint")
	awk -F: -v f="$from" 'NF >= 3 && $2 + $3 > f { exit 1 }' /etc/subuid
}
