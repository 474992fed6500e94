#!/usr/bin/env bats
# husk pull and the image commands against the harness's real registries.
# Unpacked trees are checked the way a container will see them: the
# layers are mounted as an overlay (inside husk's user namespace when
# rootless) and compared entry by entry with what the fixture recorded.

load helpers

setup() {
	husk_test_dirs
	require_registry
	require_cmd jq skopeo
	export REGISTRY_AUTH_FILE="$BATS_TEST_TMPDIR/auth.json"
	export DOCKER_CONFIG="$BATS_TEST_TMPDIR/docker"
	EXP="$HUSK_FIXTURES/expected.json"
	P=$HUSK_REG_PLAIN
}

teardown() {
	# rootless stores hold files of subordinate ids: remove them from
	# inside the namespace, as users do (husk unshare)
	if [ -d "$HUSK_ROOT" ] && ! is_root; then
		"$HUSK" unshare rm -rf "$HUSK_ROOT"
	fi
}

ex() { jq -r "$@" "$EXP"; }

# in_ns CMD...: run CMD where the store's files have their image owners
in_ns() {
	if is_root; then "$@"; else "$HUSK" unshare "$@"; fi
}

# check_tree IMAGE [ARCH]: the pulled husk/IMAGE matches expected.json
check_tree() {
	local extra=()
	[ -n "${2:-}" ] && extra=(--arch "$2")
	run in_ns "$HUSK_SRC/test/helpers/overlay-run.sh" "$HUSK_ROOT" "$P/husk/$1:latest" \
		sh -c 'py=$0 out=$1 img=$2; shift 2; exec /usr/bin/python3 "$py" --check-rootfs "$out" "$img" "$ROOTFS" --mtime "$@"' \
		"$HUSK_SRC/test/fixtures/build.py" "$HUSK_FIXTURES" "$1" "${extra[@]}"
	echo "$output" | tail -n 20
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" == *", 0 differences" ]]
}

# store_snapshot: everything in the store but the scratch area, and index.json
store_snapshot() {
	(cd "$HUSK_ROOT" && find . -path ./tmp -prune -o -print | sort && cat index.json)
}

# blob_gets DIGEST: GETs of that blob in the plain registry's access log
blob_gets() {
	grep -c "GET /v2/[^ ]*/blobs/$1 " "$HUSK_REG_LOGDIR/plain.log" || true
}

@test "pull: every single-platform fixture unpacks to the recorded tree" {
	for img in busybox layers layers-zstd layers-uncompressed schema2 samelayer many; do
		run --separate-stderr "$HUSK" pull "$P/husk/$img"
		[ "$status" -eq 0 ]
		# not on a terminal: only the image id, on stdout
		assert_eq "$(ex --arg i "$img" '.images[$i].config.digest | ltrimstr("sha256:")')" "$output"
		[ -z "$stderr" ]
		check_tree "$img"
	done
}

@test "pull: the compressed blobs are kept and the store is an OCI layout skopeo reads" {
	run "$HUSK" pull -q "$P/husk/layers"
	[ "$status" -eq 0 ]
	for d in $(ex '.images.layers.layers[].digest'); do
		[ -f "$HUSK_ROOT/blobs/sha256/${d#sha256:}" ]
		assert_eq "$d" "sha256:$(sha256sum "$HUSK_ROOT/blobs/sha256/${d#sha256:}" | cut -d' ' -f1)"
	done
	run skopeo inspect --raw "oci:$HUSK_ROOT:$P/husk/layers:latest"
	[ "$status" -eq 0 ]
	assert_eq "$(ex .images.layers.digest)" "sha256:$(printf '%s' "$output" | sha256sum | cut -d' ' -f1)"
	assert_eq '{"imageLayoutVersion":"1.0.0"}' "$(cat "$HUSK_ROOT/oci-layout")"
	# the id mapping the layers were unpacked with is recorded
	if is_root; then
		assert_eq host "$(jq -r .uidmap "$HUSK_ROOT/store.json")"
	else
		r=$(awk -F: -v u="$(id -un)" '$1 == u { print $2 ":" $3; exit }' /etc/subuid)
		assert_eq "0:$(id -u):1,1:$r" "$(jq -r .uidmap "$HUSK_ROOT/store.json")"
	fi
}

@test "pull: a multi-arch index gives the host's platform, or the one asked for" {
	for img in multiarch multiarch-docker; do
		run "$HUSK" pull -q "$P/husk/$img"
		[ "$status" -eq 0 ]
		assert_eq "$(ex --arg i "$img" '.images[$i].manifests[] | select(.platform.architecture == "amd64") | .config.digest | ltrimstr("sha256:")')" "$output"
		run in_ns "$HUSK_SRC/test/helpers/overlay-run.sh" "$HUSK_ROOT" "$P/husk/$img:latest" sh -c 'cat "$ROOTFS/etc/arch"'
		assert_eq amd64 "$output"
		run "$HUSK" pull -q --platform linux/arm64 "$P/husk/$img"
		[ "$status" -eq 0 ]
		assert_eq "$(ex --arg i "$img" '.images[$i].manifests[] | select(.platform.architecture == "arm64") | .config.digest | ltrimstr("sha256:")')" "$output"
		run in_ns "$HUSK_SRC/test/helpers/overlay-run.sh" "$HUSK_ROOT" "$P/husk/$img:latest" sh -c 'cat "$ROOTFS/etc/arch"'
		assert_eq arm64 "$output"
	done
	# the index digest is the repo digest, as docker reports it
	run "$HUSK" image inspect "$P/husk/multiarch"
	assert_eq "$P/husk/multiarch@$(ex .images.multiarch.digest)" "$(jq -r '.[0].RepoDigests[0]' <<<"$output")"
	assert_eq arm64 "$(jq -r '.[0].Architecture' <<<"$output")"
}

@test "pull: a platform the index lacks is refused, naming it" {
	run --separate-stderr "$HUSK" pull --platform linux/s390x "$P/husk/multiarch"
	[ "$status" -eq 125 ]
	[[ "$stderr" == "husk: cannot pull '$P/husk/multiarch': no manifest for platform 'linux/s390x'"* ]]
}

@test "pull: a layer already in the store is not downloaded again" {
	local bb
	bb=$(ex '.images.busybox.layers[0].digest')
	before=$(blob_gets "$bb")
	run "$HUSK" pull -q "$P/husk/busybox"
	[ "$status" -eq 0 ]
	assert_eq $((before + 1)) "$(blob_gets "$bb")"
	# husk/layers starts with the same busybox layer
	run "$HUSK" pull -q "$P/husk/layers"
	[ "$status" -eq 0 ]
	assert_eq $((before + 1)) "$(blob_gets "$bb")"
	# and pulling again downloads nothing at all
	all_before=$(grep -c "GET /v2/husk/layers/blobs/" "$HUSK_REG_LOGDIR/plain.log")
	run "$HUSK" pull -q "$P/husk/layers"
	[ "$status" -eq 0 ]
	assert_eq "$all_before" "$(grep -c "GET /v2/husk/layers/blobs/" "$HUSK_REG_LOGDIR/plain.log")"
}

@test "pull: progress bars on a terminal, one line per layer" {
	require_cmd script
	run script -qec "'$HUSK' pull '$P/husk/layers'" /dev/null
	[ "$status" -eq 0 ]
	for d in $(ex '.images.layers.layers[].digest | ltrimstr("sha256:") | .[0:12]'); do
		[[ "$output" == *"$d: Pull complete"* ]]
	done
	run script -qec "'$HUSK' pull '$P/husk/layers'" /dev/null
	[[ "$output" == *": Already exists"* ]]
	# -q keeps a terminal quiet too
	run script -qec "'$HUSK' pull -q '$P/husk/busybox'" /dev/null
	[[ "$output" != *"Pull complete"* ]]
}

@test "tls: the registry's CA from certs.d is trusted, an unknown CA is not" {
	T=$HUSK_REG_TLS
	run --separate-stderr "$HUSK" pull "$T/husk/busybox"
	[ "$status" -eq 125 ]
	[[ "$stderr" == "husk: cannot pull '$T/husk/busybox': "*"certificate"* ]]
	[ ! -e "$HUSK_ROOT/layers/$(ex '.images.busybox.diffids[0] | ltrimstr("sha256:")')" ]
	HUSK_CERTS_D=$HUSK_REG_CERTS_D run "$HUSK" pull -q "$T/husk/busybox"
	[ "$status" -eq 0 ]
	run "$HUSK" pull -q --tls-verify=false "$T/husk/layers"
	[ "$status" -eq 0 ]
	check_tree_from() { P=$1 check_tree "$2"; }
	check_tree_from "$T" layers
}

@test "basic auth: refused anonymously, login stores credentials, logout removes them" {
	B=$HUSK_REG_BASIC
	run --separate-stderr "$HUSK" pull "$B/husk/busybox"
	[ "$status" -eq 125 ]
	assert_eq "husk: cannot pull '$B/husk/busybox': unauthorized: authentication required" "$stderr"
	run --separate-stderr bash -c "echo wrong | '$HUSK' login -u '$HUSK_REG_USER' --password-stdin '$B'"
	[ "$status" -eq 125 ]
	assert_eq "husk: cannot log in to '$B': invalid username or password" "$stderr"
	[ ! -e "$REGISTRY_AUTH_FILE" ]
	run bash -c "printf '%s\n' '$HUSK_REG_PASS' | '$HUSK' login -u '$HUSK_REG_USER' --password-stdin '$B'"
	[ "$status" -eq 0 ]
	assert_eq "Login Succeeded!" "$output"
	assert_eq 600 "$(stat -c %a "$REGISTRY_AUTH_FILE")"
	assert_eq "$(printf '%s:%s' "$HUSK_REG_USER" "$HUSK_REG_PASS" | base64 -w0)" \
		"$(jq -r --arg h "$B" '.auths[$h].auth' "$REGISTRY_AUTH_FILE")"
	run "$HUSK" pull -q "$B/husk/busybox"
	[ "$status" -eq 0 ]
	run "$HUSK" logout "$B"
	[ "$status" -eq 0 ]
	assert_eq null "$(jq -r --arg h "$B" '.auths[$h]' "$REGISTRY_AUTH_FILE")"
	run --separate-stderr "$HUSK" logout "$B"
	[ "$status" -eq 125 ]
	assert_eq "husk: cannot log out from '$B': not logged in to '$B'" "$stderr"
	run "$HUSK" pull -q "$B/husk/layers"
	[ "$status" -eq 125 ]
}

@test "basic auth: credentials are read from docker's config.json too" {
	mkdir -p "$DOCKER_CONFIG"
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$HUSK_REG_BASIC" \
		"$(printf '%s:%s' "$HUSK_REG_USER" "$HUSK_REG_PASS" | base64 -w0)" >"$DOCKER_CONFIG/config.json"
	run "$HUSK" pull -q "$HUSK_REG_BASIC/husk/busybox"
	[ "$status" -eq 0 ]
	assert_eq "$(ex '.images.busybox.config.digest | ltrimstr("sha256:")')" "$output"
}

@test "token auth: anonymous pull tokens, as on Docker Hub; login with the right password only" {
	K=$HUSK_REG_TOKEN
	run "$HUSK" pull -q "$K/husk/busybox"
	[ "$status" -eq 0 ]
	grep -q "GET /token" "$HUSK_REG_LOGDIR/tokensrv.log"
	run --separate-stderr bash -c "echo wrong | '$HUSK' login -u '$HUSK_REG_USER' --password-stdin '$K'"
	[ "$status" -eq 125 ]
	[[ "$stderr" == "husk: cannot log in to '$K': "* ]]
	run bash -c "printf '%s' '$HUSK_REG_PASS' | '$HUSK' login -u '$HUSK_REG_USER' --password-stdin '$K'"
	[ "$status" -eq 0 ]
	run "$HUSK" pull -q "$K/husk/layers"
	[ "$status" -eq 0 ]
	P=$K check_tree layers
}

@test "pull errors: unknown repository, unknown tag, registry down; the store is unchanged" {
	run "$HUSK" pull -q "$P/husk/busybox"
	[ "$status" -eq 0 ]
	before=$(store_snapshot)
	run --separate-stderr "$HUSK" pull "$P/husk/nosuchrepo"
	[ "$status" -eq 125 ]
	assert_eq "husk: cannot pull '$P/husk/nosuchrepo': manifest unknown" "$stderr"
	run --separate-stderr "$HUSK" pull "$P/husk/busybox:nosuchtag"
	[ "$status" -eq 125 ]
	assert_eq "husk: cannot pull '$P/husk/busybox:nosuchtag': manifest unknown" "$stderr"
	# a closed loopback port: "registry down"
	port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	run --separate-stderr "$HUSK" pull "127.0.0.1:$port/husk/busybox"
	[ "$status" -eq 125 ]
	assert_eq "husk: cannot pull '127.0.0.1:$port/husk/busybox': cannot connect to 127.0.0.1:$port: connection refused" "$stderr"
	assert_eq "$before" "$(store_snapshot)"
}

@test "pull: invalid references are refused before any network access" {
	# a listener that records any connection made to it
	"$PY" -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(30)
try:
    s.accept(); open(sys.argv[2], "w").write("connected")
except OSError:
    pass' "$BATS_TEST_TMPDIR/port" "$BATS_TEST_TMPDIR/connected" 3>&- &
	lpid=$!
	while [ ! -s "$BATS_TEST_TMPDIR/port" ]; do sleep 0.05; done
	h=127.0.0.1:$(cat "$BATS_TEST_TMPDIR/port")
	for r in "$h/library/UPPER" "$h/x@sha256:123" "$h/x:" "$h/a//b" "$h/x:tag@sha256:zz" \
		"$h/x:$(printf 'a%.0s' {1..129})" "$h/-x" ':tag'; do
		run --separate-stderr "$HUSK" pull "$r"
		[ "$status" -eq 125 ]
		[[ "$stderr" == "husk: cannot pull '$r': invalid reference '$r': "* ]]
		assert_eq 1 "${#stderr_lines[@]}"
	done
	kill "$lpid"
	wait "$lpid" || true
	[ ! -e "$BATS_TEST_TMPDIR/connected" ]
}

@test "pull: usage errors" {
	run --separate-stderr "$HUSK" pull
	[ "$status" -eq 125 ]
	assert_eq "husk: pull needs an image" "${stderr_lines[0]}"
	assert_eq "see 'husk pull --help'" "${stderr_lines[1]}"
	run --separate-stderr "$HUSK" pull a b
	[ "$status" -eq 125 ]
	assert_eq "husk: pull takes one image" "${stderr_lines[0]}"
	run --separate-stderr "$HUSK" pull --tls-verify=maybe x
	[ "$status" -eq 125 ]
	assert_eq "husk: invalid value 'maybe' for '--tls-verify': want true or false" "${stderr_lines[0]}"
	run --separate-stderr "$HUSK" pull --platform
	[ "$status" -eq 125 ]
	assert_eq "husk: option '--platform' needs a value" "${stderr_lines[0]}"
	run "$HUSK" pull --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: husk pull [OPTIONS] IMAGE" ]]
}

@test "images: docker's columns, -q, --no-trunc, --digests, --format json, a reference filter" {
	run "$HUSK" images
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
	assert_eq 1 "${#lines[@]}"
	"$HUSK" pull -q "$P/husk/busybox" >/dev/null
	"$HUSK" pull -q "$P/husk/layers" >/dev/null
	"$HUSK" tag "$P/husk/busybox" "$P/husk/bb:v1"
	id=$(ex '.images.busybox.config.digest | ltrimstr("sha256:")')
	run "$HUSK" images
	assert_eq 4 "${#lines[@]}"
	[[ "$output" =~ $P/husk/busybox\ +latest\ +${id:0:12}\ +[0-9]+\ years\ ago\ +2.14MB ]]
	[[ "$output" =~ $P/husk/bb\ +v1\ +${id:0:12} ]]
	run "$HUSK" images -q
	assert_eq 2 "${#lines[@]}"	# one id per image, not per name
	assert_eq "${id:0:12}" "${lines[0]}"
	run "$HUSK" images -q --no-trunc
	assert_eq "sha256:$id" "${lines[0]}"
	run "$HUSK" images --digests
	[[ "$output" == *"$(ex .images.busybox.digest)"* ]]
	run "$HUSK" images --format json
	assert_eq 3 "$(jq length <<<"$output")"
	assert_eq "sha256:$id" "$(jq -r --arg r "$P/husk/bb" '.[] | select(.Repository == $r) | .Id' <<<"$output")"
	assert_eq v1 "$(jq -r --arg r "$P/husk/bb" '.[] | select(.Repository == $r) | .Tag' <<<"$output")"
	assert_eq 2140160 "$(jq -r --arg r "$P/husk/busybox" '.[] | select(.Repository == $r) | .Size' <<<"$output")"
	run "$HUSK" images "$P/husk/layers"
	assert_eq 2 "${#lines[@]}"
	[[ "${lines[1]}" == "$P/husk/layers "* ]]
	run --separate-stderr "$HUSK" images --format yaml
	[ "$status" -eq 125 ]
	assert_eq "husk: unknown format 'yaml'" "${stderr_lines[0]}"
}

@test "image inspect: docker's fields from the stored config" {
	"$HUSK" pull -q "$P/husk/busybox" >/dev/null
	run "$HUSK" image inspect "$P/husk/busybox"
	[ "$status" -eq 0 ]
	j=$output
	assert_eq "$(ex .images.busybox.config.digest)" "$(jq -r '.[0].Id' <<<"$j")"
	assert_eq "$P/husk/busybox:latest" "$(jq -r '.[0].RepoTags[0]' <<<"$j")"
	assert_eq "$P/husk/busybox@$(ex .images.busybox.digest)" "$(jq -r '.[0].RepoDigests[0]' <<<"$j")"
	assert_eq '["sh"]' "$(jq -c '.[0].Config.Cmd' <<<"$j")"
	assert_eq "$(ex -c .images.busybox.diffids)" "$(jq -c '.[0].RootFS.Layers' <<<"$j")"
	assert_eq layers "$(jq -r '.[0].RootFS.Type' <<<"$j")"
	assert_eq linux "$(jq -r '.[0].Os' <<<"$j")"
	assert_eq amd64 "$(jq -r '.[0].Architecture' <<<"$j")"
	# by id prefix too
	run "$HUSK" image inspect "$(ex '.images.busybox.config.digest | ltrimstr("sha256:") | .[0:8]')"
	assert_eq "$(ex .images.busybox.config.digest)" "$(jq -r '.[0].Id' <<<"$output")"
	run --separate-stderr "$HUSK" image inspect nosuch
	[ "$status" -eq 125 ]
	assert_eq "husk: no such image 'nosuch'" "$stderr"
}

@test "tag: a second name for the same image; bad input refused" {
	"$HUSK" pull -q "$P/husk/busybox" >/dev/null
	run "$HUSK" tag "$P/husk/busybox" mirror/bb:2
	[ "$status" -eq 0 ]
	run "$HUSK" image inspect mirror/bb:2
	assert_eq "$(ex .images.busybox.config.digest)" "$(jq -r '.[0].Id' <<<"$output")"
	[[ "$(jq -c '.[0].RepoTags' <<<"$output")" == *'"mirror/bb:2"'* ]]
	run --separate-stderr "$HUSK" tag nosuch x:1
	[ "$status" -eq 125 ]
	assert_eq "husk: cannot tag 'nosuch' as 'x:1': no such image" "$stderr"
	run --separate-stderr "$HUSK" tag "$P/husk/busybox" 'bad//name'
	[ "$status" -eq 125 ]
	[[ "$stderr" == "husk: cannot tag '$P/husk/busybox' as 'bad//name': invalid reference"* ]]
	run --separate-stderr "$HUSK" tag "$P/husk/busybox"
	[ "$status" -eq 125 ]
	assert_eq "husk: tag needs a source and a target" "${stderr_lines[0]}"
}

@test "rmi: removes names, then the layers and blobs nothing else uses" {
	"$HUSK" pull -q "$P/husk/busybox" >/dev/null
	"$HUSK" pull -q "$P/husk/layers" >/dev/null
	bbl=$(ex '.images.busybox.diffids[0] | ltrimstr("sha256:")')
	top=$(ex '.images.layers.diffids[-1] | ltrimstr("sha256:")')
	run "$HUSK" rmi "$P/husk/layers"
	[ "$status" -eq 0 ]
	assert_eq "Untagged: $P/husk/layers:latest" "${lines[0]}"
	[[ "$output" == *"Deleted: sha256:$top"* ]]
	[ ! -e "$HUSK_ROOT/layers/$top" ]
	[ ! -e "$HUSK_ROOT/layers/$top.json" ]
	# busybox still uses its layer
	[ -d "$HUSK_ROOT/layers/$bbl" ]
	check_tree busybox
	# an id with two names needs -f
	"$HUSK" tag "$P/husk/busybox" other:1
	id=$(ex '.images.busybox.config.digest | ltrimstr("sha256:")')
	run --separate-stderr "$HUSK" rmi "${id:0:12}"
	[ "$status" -eq 125 ]
	[[ "$stderr" == "husk: cannot remove image '${id:0:12}': image is referenced by 2 names"* ]]
	run "$HUSK" rmi -f "${id:0:12}"
	[ "$status" -eq 0 ]
	run "$HUSK" images -q
	assert_eq 0 "${#lines[@]}"
	assert_eq 0 "$(find "$HUSK_ROOT/layers" "$HUSK_ROOT/blobs/sha256" -mindepth 1 | wc -l)"
	assert_eq 0 "$(jq '.manifests | length' "$HUSK_ROOT/index.json")"
}

@test "rmi: an unknown image is an error; the others are still removed" {
	"$HUSK" pull -q "$P/husk/busybox" >/dev/null
	run --separate-stderr "$HUSK" rmi nosuch "$P/husk/busybox"
	[ "$status" -eq 125 ]
	assert_eq "husk: cannot remove image 'nosuch': no such image" "${stderr_lines[0]}"
	[[ "$output" == "Untagged: $P/husk/busybox:latest"* ]]
	run "$HUSK" images -q
	assert_eq 0 "${#lines[@]}"
}

@test "image prune: deletes what no image references" {
	"$HUSK" pull -q "$P/husk/layers" >/dev/null
	"$HUSK" pull -q "$P/husk/busybox" >/dev/null
	# drop husk/layers from the index behind husk's back: its own layers
	# and blobs become unreferenced
	jq --arg n "$P/husk/layers:latest" '.manifests |= map(select(.annotations["org.opencontainers.image.ref.name"] != $n))' \
		"$HUSK_ROOT/index.json" >"$BATS_TEST_TMPDIR/i" && cat "$BATS_TEST_TMPDIR/i" >"$HUSK_ROOT/index.json"
	run "$HUSK" image prune
	[ "$status" -eq 0 ]
	n=$(ex '.images.layers.layers | length')
	# 4 layers, their 4 blobs, the manifest and the config
	assert_eq "Deleted $(( (n - 1) * 2 + 2 )) blobs and layers" "${lines[-1]}"
	check_tree busybox
	run "$HUSK" image prune -a
	[ "$status" -eq 0 ]
	assert_eq 0 "$(find "$HUSK_ROOT/layers" "$HUSK_ROOT/blobs/sha256" -mindepth 1 | wc -l)"
}

@test "image: unknown subcommands and missing arguments" {
	run --separate-stderr "$HUSK" image frob
	[ "$status" -eq 125 ]
	assert_eq "husk: unknown command 'image frob'" "${stderr_lines[0]}"
	run --separate-stderr "$HUSK" image
	[ "$status" -eq 125 ]
	run --separate-stderr "$HUSK" rmi
	[ "$status" -eq 125 ]
	assert_eq "husk: rmi needs at least one image" "${stderr_lines[0]}"
	run "$HUSK" image ls --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: husk images"* ]]
}

@test "rmi: an image a kept container uses is refused without -f; with -f its layers stay" {
	"$HUSK" pull -q "$P/husk/busybox" >/dev/null
	run "$HUSK" run "$P/husk/busybox" true
	[ "$status" -eq 0 ]
	run --separate-stderr "$HUSK" rmi "$P/husk/busybox"
	[ "$status" -eq 125 ]
	assert_eq "husk: cannot remove image '$P/husk/busybox': image is used by a container (remove the container, or use -f)" "$stderr"
	run "$HUSK" images -q
	assert_eq 1 "${#lines[@]}"
	run "$HUSK" rmi -f "$P/husk/busybox"
	[ "$status" -eq 0 ]
	run "$HUSK" images -q
	assert_eq 0 "${#lines[@]}"
	# the container's lower layer is kept; the image's other blobs went
	[ -d "$HUSK_ROOT/layers/$(ex '.images.busybox.diffids[0] | ltrimstr("sha256:")')" ]
	[ ! -e "$HUSK_ROOT/blobs/sha256/$(ex '.images.busybox.digest | ltrimstr("sha256:")')" ]
}

@test "login: usage errors name what is missing" {
	run --separate-stderr "$HUSK" login "$HUSK_REG_BASIC"
	[ "$status" -eq 125 ]
	assert_eq "husk: login needs --username" "${stderr_lines[0]}"
	assert_eq "see 'husk login --help'" "${stderr_lines[1]}"
	run --separate-stderr bash -c "'$HUSK' login -u x '$HUSK_REG_BASIC' </dev/null"
	[ "$status" -eq 125 ]
	assert_eq "husk: login needs a password (--password-stdin)" "${stderr_lines[0]}"
	run --separate-stderr bash -c "echo p | '$HUSK' login -u x -p y --password-stdin '$HUSK_REG_BASIC'"
	[ "$status" -eq 125 ]
	assert_eq "husk: --password and --password-stdin are exclusive" "${stderr_lines[0]}"
	run --separate-stderr "$HUSK" login -u x -p y
	[ "$status" -eq 125 ]
	assert_eq "husk: login needs one registry" "${stderr_lines[0]}"
	run --separate-stderr "$HUSK" logout
	[ "$status" -eq 125 ]
	assert_eq "husk: logout needs one registry" "${stderr_lines[0]}"
	# nothing was written
	[ ! -e "$REGISTRY_AUTH_FILE" ]
}
