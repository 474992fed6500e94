#!/usr/bin/env bats
# The command line itself: help, usage errors, exit codes, version.

load helpers

setup() {
	husk_test_dirs
}

@test "husk --help lists the commands on stdout and exits 0" {
	run --separate-stderr "$HUSK" --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: husk [OPTIONS] COMMAND [ARG...]" ]]
	[[ "$output" == *"  info "* ]]
	[[ "$output" == *"  version "* ]]
	[ -z "$stderr" ]
}

@test "husk with no command prints usage to stderr and exits 125" {
	run --separate-stderr "$HUSK"
	[ "$status" -eq 125 ]
	[ -z "$output" ]
	[[ "$stderr" == "Usage: husk"* ]]
}

@test "an unknown command is a usage error naming it" {
	run --separate-stderr "$HUSK" frobnicate
	[ "$status" -eq 125 ]
	[ -z "$output" ]
	assert_eq "husk: unknown command 'frobnicate'" "${stderr_lines[0]}"
	assert_eq "see 'husk --help'" "${stderr_lines[1]}"
}

@test "an unknown global option is a usage error naming it" {
	run --separate-stderr "$HUSK" --bogus info
	[ "$status" -eq 125 ]
	assert_eq "husk: unknown option '--bogus'" "${stderr_lines[0]}"
}

@test "a global option without its value is refused" {
	run --separate-stderr "$HUSK" --root
	[ "$status" -eq 125 ]
	assert_eq "husk: option '--root' needs a value" "${stderr_lines[0]}"
}

@test "an invalid log level is refused" {
	run --separate-stderr "$HUSK" --log-level=loud info
	[ "$status" -eq 125 ]
	assert_eq "husk: invalid log level 'loud'" "${stderr_lines[0]}"
}

@test "an unknown subcommand option names the command to ask for help" {
	run --separate-stderr "$HUSK" version --frob
	[ "$status" -eq 125 ]
	assert_eq "husk: unknown option '--frob'" "${stderr_lines[0]}"
	assert_eq "see 'husk version --help'" "${stderr_lines[1]}"
	run --separate-stderr "$HUSK" info -z
	[ "$status" -eq 125 ]
	assert_eq "husk: unknown option '-z'" "${stderr_lines[0]}"
	assert_eq "see 'husk info --help'" "${stderr_lines[1]}"
}

@test "a subcommand option without its value is refused" {
	run --separate-stderr "$HUSK" info --format
	[ "$status" -eq 125 ]
	assert_eq "husk: option '--format' needs a value" "${stderr_lines[0]}"
}

@test "stray arguments and unknown formats are refused" {
	run --separate-stderr "$HUSK" version extra
	[ "$status" -eq 125 ]
	assert_eq "husk: unexpected argument 'extra'" "${stderr_lines[0]}"
	run --separate-stderr "$HUSK" info --format yaml
	[ "$status" -eq 125 ]
	assert_eq "husk: unknown format 'yaml'" "${stderr_lines[0]}"
}

@test "every command's --help (and -h) prints usage to stdout and exits 0" {
	local c
	for c in info version; do
		run --separate-stderr "$HUSK" "$c" --help
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "Usage: husk $c"* ]]
		[ -z "$stderr" ]
		run --separate-stderr "$HUSK" "$c" -h
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "Usage: husk $c"* ]]
	done
}

@test "husk --version and husk version agree" {
	run "$HUSK" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^husk\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	local v=$output
	run "$HUSK" version
	[ "$status" -eq 0 ]
	assert_eq "$v" "${lines[0]}"
}

@test "husk version reports the libraries actually linked" {
	require_cmd jq pkg-config
	run "$HUSK" version --format json
	[ "$status" -eq 0 ]
	local json=$output
	assert_eq "$(pkg-config --modversion libcurl)" "$(jq -r .libraries.libcurl <<<"$json")"
	assert_eq "$(pkg-config --modversion libseccomp)" "$(jq -r .libraries.libseccomp <<<"$json")"
	assert_eq "$(pkg-config --modversion libzstd)" "$(jq -r .libraries.zstd <<<"$json")"
	assert_eq "$(pkg-config --modversion libcjson)" "$(jq -r .libraries.cJSON <<<"$json")"
	[[ "$(jq -r .libraries.libarchive <<<"$json")" == "libarchive $(pkg-config --modversion libarchive)" ]]
	[[ "$(jq -r .libraries.openssl <<<"$json")" == "OpenSSL $(pkg-config --modversion openssl)"* ]]
	assert_eq "$(uname -r)" "$(jq -r .kernel <<<"$json")"
}

@test "a write error on stdout is reported, not ignored" {
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr bash -c '"$HUSK" version >/dev/full'
	[ "$status" -eq 125 ]
	[[ "$stderr" == "husk: cannot write the output: "* ]]
}
