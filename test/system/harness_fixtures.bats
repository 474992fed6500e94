#!/usr/bin/env bats
# The harness's fixture images: built by test/fixtures/build.py, pushed by
# test/fixtures/push.py, served by every test registry, and unpacked by a
# reference unpacker (umoci) into exactly the tree expected.json records.

# jq programs are single-quoted on purpose; the trees listed are our own
# shellcheck disable=SC2016,SC2012
load helpers

NAMES="busybox layers layers-zstd layers-uncompressed schema2 multiarch multiarch-docker samelayer many volumes"

setup() {
	set -o pipefail
	if [ -z "${HUSK_FIXTURES:-}" ] || [ ! -f "$HUSK_FIXTURES/expected.json" ]; then
		skip "no fixtures (run through test/run.sh)"
	fi
	require_cmd jq
	EXP="$HUSK_FIXTURES/expected.json"
}

ex() { jq -r "$@" "$EXP"; }

# sha256 digest of stdin, as sha256:HEX
digest_of() { echo "sha256:$(sha256sum | cut -d' ' -f1)"; }

# tls_args SCHEME HOST: skopeo options to reach a registry of that scheme
# (skopeo's --cert-dir is one host's directory of the certs.d tree)
tls_args() {
	if [ "$1" = https ] && [ -n "${HUSK_REG_CERTS_D:-}" ]; then
		echo "--cert-dir $HUSK_REG_CERTS_D/$2"
	else
		echo "--tls-verify=false"
	fi
}

# check_registry HOST SCHEME [skopeo options...]: every image's manifest is
# served there byte for byte as recorded
check_registry() {
	local host=$1 scheme=$2 n want got
	shift 2
	for n in $NAMES; do
		want=$(ex --arg n "$n" '.images[$n].digest')
		# shellcheck disable=SC2046
		got=$(skopeo inspect --raw $(tls_args "$scheme" "$host") "$@" \
			"docker://$host/husk/$n:latest" | digest_of)
		assert_eq "$n $want" "$n $got"
	done
}

@test "fixtures: expected.json describes every image and the OCI layout holds it" {
	assert_eq "$(echo "$NAMES" | tr ' ' '\n' | sort)" "$(ex '.images | keys[]' | sort)"
	local n repo tag d ref
	while read -r n repo tag d; do
		assert_eq "husk/$n latest" "$repo $tag"
		# the layout's blob is the manifest, and index.json names it
		assert_eq "$d" "$(digest_of <"$HUSK_FIXTURES/blobs/sha256/${d#sha256:}")"
		ref=$(jq -r --arg d "$d" '.manifests[] | select(.digest == $d) | .annotations["org.opencontainers.image.ref.name"]' \
			"$HUSK_FIXTURES/index.json")
		assert_eq "husk/$n" "$ref"
	done < <(ex '.images | to_entries[] | "\(.key) \(.value.repository) \(.value.tag) \(.value.digest)"')
	assert_eq 10 "$(jq '.manifests | length' "$HUSK_FIXTURES/index.json")"
	assert_eq "$(cat "$HUSK_FIXTURES/oci-layout")" '{"imageLayoutVersion": "1.0.0"}'
	# every layer blob of every manifest hashes to its digest, every
	# uncompressed layer to its diffid (one shell: bats' trap is slow)
	run bash -c 'set -o pipefail; n=0
		while read -r dig mt diffid; do
			f=$1/blobs/sha256/${dig#sha256:}
			got=sha256:$(sha256sum <"$f" | cut -d" " -f1) || exit 1
			[ "$got" = "$dig" ] || echo "BAD $dig hashes to $got"
			case $mt in
			*tar+gzip | *tar.gzip) u=$(gzip -dc "$f" | sha256sum) ;;
			*tar+zstd) u=$(zstd -qdc "$f" | sha256sum) ;;
			*.tar) u=$(sha256sum <"$f") ;;
			*) echo "BAD $dig: unknown type $mt"; continue ;;
			esac || exit 1
			[ "sha256:${u%% *}" = "$diffid" ] || echo "BAD $dig: diffid sha256:${u%% *}, want $diffid"
			n=$((n + 1))
		done < <(jq -r "[.images[] | (., .manifests[]?) | .layers[]?] | unique_by(.digest)[] | \"\(.digest) \(.mediaType) \(.diffid)\"" "$1/expected.json")
		echo "checked $n"' _ "$HUSK_FIXTURES"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *BAD* ]]
	# 1 busybox gzip + 4 layers gzip + 5 zstd + 5 tar + 2 arch + 2 samelayer + 64 many
	# + 1 volumes
	assert_eq "checked 84" "$output"
}

@test "fixtures: variants differ only where they should" {
	# media types
	assert_eq application/vnd.oci.image.manifest.v1+json "$(ex '.images.layers.mediaType')"
	assert_eq application/vnd.docker.distribution.manifest.v2+json "$(ex '.images.schema2.mediaType')"
	assert_eq application/vnd.docker.container.image.v1+json "$(ex '.images.schema2.config.mediaType')"
	assert_eq application/vnd.docker.image.rootfs.diff.tar.gzip "$(ex '.images.schema2.layers[0].mediaType')"
	assert_eq application/vnd.oci.image.index.v1+json "$(ex '.images.multiarch.mediaType')"
	assert_eq application/vnd.docker.distribution.manifest.list.v2+json "$(ex '.images["multiarch-docker"].mediaType')"
	assert_eq "application/vnd.oci.image.layer.v1.tar+gzip" "$(ex '[.images.layers.layers[].mediaType] | unique | join(",")')"
	assert_eq "application/vnd.oci.image.layer.v1.tar+zstd" "$(ex '[.images["layers-zstd"].layers[].mediaType] | unique | join(",")')"
	assert_eq "application/vnd.oci.image.layer.v1.tar" "$(ex '[.images["layers-uncompressed"].layers[].mediaType] | unique | join(",")')"
	# the three layers variants: same diffids and rootfs, different blobs
	local v
	for v in layers-zstd layers-uncompressed; do
		assert_eq "$(ex '.images.layers.diffids | join(",")')" "$(ex --arg v $v '.images[$v].diffids | join(",")')"
		assert_eq "$(ex -c '.images.layers.rootfs')" "$(ex -c --arg v $v '.images[$v].rootfs')"
		assert_eq 0 "$(ex --arg v $v '[.images.layers.layers[].digest] - [.images[$v].layers[].digest] | length | 5 - .')"
	done
	# layer counts; busybox's layer is the base of everything amd64
	assert_eq 5 "$(ex '.images.layers.layers | length')"
	assert_eq 65 "$(ex '.images.many.layers | length')"
	assert_eq 3 "$(ex '.images.samelayer.layers | length')"
	local bb
	bb=$(ex '.images.busybox.layers[0].digest')
	assert_eq "$bb" "$(ex '.images.layers.layers[0].digest')"
	assert_eq "$bb" "$(ex '.images.many.layers[0].digest')"
	assert_eq "$bb" "$(ex '.images.schema2.layers[0].digest')"
	assert_eq "amd64 arm64" "$(ex '[.images.multiarch.manifests[].platform.architecture] | join(" ")')"
}

@test "fixtures: merged rootfs records whiteouts, opaque dirs and special entries" {
	local r='.images.layers.rootfs'
	# whited out below, absent in the merged tree
	assert_eq 0 "$(ex "[${r}[] | select(.path == \"data/gone.txt\" or (.path | startswith(\"data/gonedir\")))] | length")"
	assert_eq "data/gone.txt data/gonedir" "$(ex '.images.layers.layers[3].whiteouts | join(" ")')"
	assert_eq "opq opq2" "$(ex '.images.layers.layers[3].opaque | join(" ")')"
	assert_eq "keepname new1 newdir newdir/y" "$(ex "[${r}[].path | select(startswith(\"opq/\")) | ltrimstr(\"opq/\")] | join(\" \")")"
	assert_eq "new" "$(ex "[${r}[].path | select(startswith(\"opq2/\")) | ltrimstr(\"opq2/\")] | join(\" \")")"
	assert_eq "4755 2755 0700 1777" "$(ex "[${r}[] | select(.path == (\"perm/suid\", \"perm/sgid\", \"perm/private\", \"tmp\"))] | sort_by(.path) | map(.mode) | \"\(.[2]) \(.[1]) \(.[0]) \(.[3])\"")"
	assert_eq "hardlink links/orig 2" "$(ex "${r}[] | select(.path == \"links/hard\") | \"\(.type) \(.target) \(.nlink)\"")"
	assert_eq "symlink /data/keep.txt" "$(ex "${r}[] | select(.path == \"links/abs\") | \"\(.type) \(.target)\"")"
	assert_eq "1234:5678" "$(ex "${r}[] | select(.path == \"own/u1234\") | \"\(.uid):\(.gid)\"")"
	assert_eq "fifo" "$(ex "${r}[] | select(.path == \"special/fifo\") | .type")"
	assert_eq '{"user.foo":"bar"}' "$(ex -c "${r}[] | select(.path == \"xattr/file\") | .xattrs")"
	assert_eq 4194304 "$(ex "${r}[] | select(.path == \"big/random.bin\") | .size")"
	assert_eq "dir file" "$(ex "[${r}[] | select(.path == (\"swap/f2d\", \"swap/d2f\"))] | sort_by(.path) | \"\(.[1].type) \(.[0].type)\"")"
	# long names: a path over 100 bytes and a name over 200
	[ "$(ex "[${r}[].path | select(length > 100)] | length")" -ge 3 ]
	[ "$(ex "[${r}[].path | split(\"/\") | last | select(length >= 200)] | length")" -eq 1 ]
	# same-layer whiteouts do not hide the layer's own file
	assert_eq 2 "$(ex '[.images.samelayer.rootfs[] | select(.path == ("same/foo", "same/bar"))] | length')"
	assert_eq "$(printf 'new foo\n' | sha256sum | cut -d' ' -f1)" "$(ex '.images.samelayer.rootfs[] | select(.path == "same/foo") | .sha256')"
	assert_eq "$(printf 'new bar\n' | sha256sum | cut -d' ' -f1)" "$(ex '.images.samelayer.rootfs[] | select(.path == "same/bar") | .sha256')"
	assert_eq 64 "$(ex '[.images.many.rootfs[].path | select(startswith("layers/"))] | length')"
}

@test "fixtures: build.py is deterministic and fast" {
	local t0 t1
	t0=$(date +%s%N)
	$PY "$HUSK_SRC/test/fixtures/build.py" "$BATS_TEST_TMPDIR/fx"
	t1=$(date +%s%N)
	[ $(((t1 - t0) / 1000000)) -lt 10000 ]
	# same inputs (busybox, zstd), same digests
	assert_eq "$(jq -c '[.images[] | .digest]' "$EXP")" "$(jq -c '[.images[] | .digest]' "$BATS_TEST_TMPDIR/fx/expected.json")"
	[ "$(du -sm "$BATS_TEST_TMPDIR/fx" | cut -f1)" -lt 40 ]
	# a directory that is not a fixture layout is left alone
	mkdir "$BATS_TEST_TMPDIR/other"
	touch "$BATS_TEST_TMPDIR/other/precious"
	run $PY "$HUSK_SRC/test/fixtures/build.py" "$BATS_TEST_TMPDIR/other"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not a fixture layout"* ]]
	[ -f "$BATS_TEST_TMPDIR/other/precious" ]
}

@test "push.py: a closed port fails with a message" {
	run $PY "$HUSK_SRC/test/fixtures/push.py" 127.0.0.1:1 "$HUSK_FIXTURES" --only busybox
	[ "$status" -eq 1 ]
	[[ "$output" == *"husk/busybox:latest to 127.0.0.1:1"*"refused"* ]]
	run $PY "$HUSK_SRC/test/fixtures/push.py" 127.0.0.1:1 "$HUSK_FIXTURES" --only nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"no image 'nosuch'"* ]]
}

@test "registry: every manifest is served by digest as recorded" {
	require_registry
	require_cmd skopeo
	check_registry "$HUSK_REG_PLAIN" http
	# and by digest, with the recorded media type
	local d
	d=$(ex '.images["layers-zstd"].digest')
	assert_eq application/vnd.oci.image.manifest.v1+json \
		"$(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
			"http://$HUSK_REG_PLAIN/v2/husk/layers-zstd/manifests/$d" | jq -r .mediaType)"
	assert_eq "$d" "$(curl -fsS -o /dev/null -D - -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		"http://$HUSK_REG_PLAIN/v2/husk/layers-zstd/manifests/latest" |
		tr -d '\r' | sed -n 's/^docker-content-digest: //Ip')"
}

@test "registry: push.py is idempotent" {
	require_registry
	run $PY "$HUSK_SRC/test/fixtures/push.py" "$HUSK_REG_PLAIN" "$HUSK_FIXTURES" --only many --only busybox
	[ "$status" -eq 0 ]
	[[ "$output" == *"pushed 2 images"*"0 uploaded, 0 mounted, 68 present"* ]]
}

@test "registry: multi-arch indexes resolve to the platform's manifest" {
	require_registry
	require_cmd skopeo
	local n arch m
	for n in multiarch multiarch-docker; do
		for arch in amd64 arm64; do
			m=$(ex -c --arg n $n --arg a $arch '.images[$n].manifests[] | select(.platform.architecture == $a)')
			# skopeo reports the index's digest, but the platform's config
			# and layers
			run skopeo inspect --tls-verify=false --override-os linux --override-arch $arch \
				"docker://$HUSK_REG_PLAIN/husk/$n:latest"
			[ "$status" -eq 0 ]
			assert_eq "$(ex --arg n $n '.images[$n].digest') $arch $(jq -r '[.layers[].digest] | join(",")' <<<"$m")" \
				"$(jq -r '"\(.Digest) \(.Architecture) \(.Layers | join(","))"' <<<"$output")"
			assert_eq "$(jq -r .config.digest <<<"$m")" "$(skopeo inspect --config --raw --tls-verify=false \
				--override-os linux --override-arch $arch "docker://$HUSK_REG_PLAIN/husk/$n:latest" | digest_of)"
			# the platform's manifest is served by its digest
			assert_eq "$(jq -r .digest <<<"$m")" "$(skopeo inspect --raw --tls-verify=false \
				"docker://$HUSK_REG_PLAIN/husk/$n@$(jq -r .digest <<<"$m")" | digest_of)"
		done
		# the arm64 image is its own small tree
		assert_eq "etc etc/arch" "$(ex --arg n $n '.images[$n].manifests[1].rootfs | map(.path) | join(" ")')"
	done
	# the index lists both platforms
	assert_eq "amd64 arm64" "$(skopeo inspect --raw --tls-verify=false "docker://$HUSK_REG_PLAIN/husk/multiarch:latest" |
		jq -r '[.manifests[].platform.architecture] | join(" ")')"
}

@test "registry: blobs are served by digest and hash to it" {
	require_registry
	require_cmd curl
	# one shell for all the curls: bats' trap is slow
	run bash -c 'set -o pipefail; n=0
		while read -r repo dig; do
			got=sha256:$(curl -fsS "http://$1/v2/$repo/blobs/$dig" | sha256sum | cut -d" " -f1) || echo "BAD $repo $dig: curl failed"
			[ "$got" = "$dig" ] || echo "BAD $repo $dig hashes to $got"
			n=$((n + 1))
		done < <(jq -r "[.images[] | .repository as \$r | (., .manifests[]?) | select(.config) | (.config, .layers[]) | {r: \$r, d: .digest}] | unique_by(.d)[] | \"\(.r) \(.d)\"" "$2")
		echo "checked $n"' _ "$HUSK_REG_PLAIN" "$EXP"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *BAD* ]]
	# 84 layers (see above) + 12 configs (8 images + 2 indexes of 2)
	assert_eq "checked 96" "$output"
}

@test "registry: layer blobs are gzip, zstd and plain tar as their media types say" {
	require_registry
	require_cmd curl zstd
	local r="http://$HUSK_REG_PLAIN/v2/husk" i d
	for i in 0 1 2 3 4; do
		d=$(ex ".images.layers.layers[$i].digest")
		assert_eq 1f8b "$(curl -fsS "$r/layers/blobs/$d" | head -c2 | od -An -tx1 | tr -d ' \n')"
		d=$(ex ".images[\"layers-zstd\"].layers[$i].digest")
		assert_eq 28b52ffd "$(curl -fsS "$r/layers-zstd/blobs/$d" | head -c4 | od -An -tx1 | tr -d ' \n')"
		assert_eq "$(ex ".images[\"layers-zstd\"].layers[$i].diffid")" "$(curl -fsS "$r/layers-zstd/blobs/$d" | zstd -qdc | digest_of)"
		d=$(ex ".images[\"layers-uncompressed\"].layers[$i].digest")
		assert_eq ustar "$(curl -fsS "$r/layers-uncompressed/blobs/$d" | dd bs=1 skip=257 count=5 status=none)"
		assert_eq "$(ex ".images.layers.layers[$i].diffid")" "$d"
	done
	# the whiteouts and the opaque marker are really in the tar
	d=$(ex '.images["layers-uncompressed"].layers[3].digest')
	run bash -c "curl -fsS '$r/layers-uncompressed/blobs/$d' | tar -t"
	[ "$status" -eq 0 ]
	[[ " ${lines[*]} " == *" data/.wh.gone.txt "* ]]
	[[ " ${lines[*]} " == *" data/.wh.gonedir "* ]]
	[[ " ${lines[*]} " == *" opq/.wh..wh..opq "* ]]
}

@test "registry: image configs carry the recorded diffids and settings" {
	require_registry
	require_cmd skopeo
	local n cfg
	for n in busybox layers layers-zstd schema2 many samelayer; do
		cfg=$(skopeo inspect --config --raw --tls-verify=false "docker://$HUSK_REG_PLAIN/husk/$n:latest")
		assert_eq "$(ex --arg n $n '.images[$n].config.digest')" "$(printf %s "$cfg" | digest_of)"
		assert_eq "$(ex --arg n $n '.images[$n].diffids | join(",")')" "$(jq -r '.rootfs.diff_ids | join(",")' <<<"$cfg")"
		assert_eq "linux amd64 sh" "$(jq -r '"\(.os) \(.architecture) \(.config.Cmd | join(" "))"' <<<"$cfg")"
		assert_eq "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$(jq -r '.config.Env[0]' <<<"$cfg")"
	done
}

@test "registry: the TLS registry serves the fixtures" {
	[ -n "${HUSK_REG_TLS:-}" ] && [ -n "${HUSK_REG_CERTS_D:-}" ] || skip "no TLS registry"
	require_cmd skopeo curl
	check_registry "$HUSK_REG_TLS" https
	if [ -n "${HUSK_REG_TLS_CA:-}" ]; then
		assert_eq '{}' "$(curl -fsS --cacert "$HUSK_REG_TLS_CA" "https://$HUSK_REG_TLS/v2/")"
	fi
}

@test "registry: the basic-auth registry serves the fixtures with credentials only" {
	[ -n "${HUSK_REG_BASIC:-}" ] && [ -n "${HUSK_REG_USER:-}" ] || skip "no basic-auth registry"
	require_cmd skopeo curl
	local scheme=${HUSK_REG_BASIC_SCHEME:-http}
	check_registry "$HUSK_REG_BASIC" "$scheme" --creds "$HUSK_REG_USER:$HUSK_REG_PASS"
	run curl -sS -k -o /dev/null -D - "$scheme://$HUSK_REG_BASIC/v2/husk/busybox/manifests/latest"
	[[ "$output" == *" 401 "* ]]
	[[ "$output" == *[Ww]ww-[Aa]uthenticate:\ Basic\ realm=* ]]
	# shellcheck disable=SC2046
	run skopeo inspect --raw $(tls_args "$scheme" "$HUSK_REG_BASIC") "docker://$HUSK_REG_BASIC/husk/busybox:latest"
	[ "$status" -ne 0 ]
}

@test "registry: the token registry serves the fixtures anonymously (as Docker Hub) and refuses wrong credentials" {
	[ -n "${HUSK_REG_TOKEN:-}" ] && [ -n "${HUSK_REG_USER:-}" ] || skip "no token registry"
	require_cmd skopeo curl
	local scheme=${HUSK_REG_TOKEN_SCHEME:-http}
	check_registry "$HUSK_REG_TOKEN" "$scheme" --creds "$HUSK_REG_USER:$HUSK_REG_PASS"
	run curl -sS -k -o /dev/null -D - "$scheme://$HUSK_REG_TOKEN/v2/husk/busybox/manifests/latest"
	[[ "$output" == *" 401 "* ]]
	[[ "$output" == *[Ww]ww-[Aa]uthenticate:\ Bearer\ realm=* ]]
	# shellcheck disable=SC2046
	# anonymous pull tokens, as on Docker Hub
	check_registry "$HUSK_REG_TOKEN" "$scheme"
	run skopeo inspect --raw $(tls_args "$scheme" "$HUSK_REG_TOKEN") --creds "$HUSK_REG_USER:wrong" "docker://$HUSK_REG_TOKEN/husk/busybox:latest"
	[ "$status" -ne 0 ]
}

# unpack IMAGE: umoci unpack --rootless the layout's husk/IMAGE; cd to rootfs
unpack() {
	require_cmd umoci
	umoci unpack --rootless --image "$HUSK_FIXTURES:husk/$1" "$BATS_TEST_TMPDIR/b-$1" >/dev/null
	cd "$BATS_TEST_TMPDIR/b-$1/rootfs" || return 1
}

@test "umoci: husk/layers unpacks to the recorded merged rootfs" {
	unpack layers
	# whiteouts: gone; the rest of the directory stays
	[ ! -e data/gone.txt ] && [ ! -e data/gonedir ]
	assert_eq "chmod.txt keep.txt" "$(ls -A data | tr '\n' ' ' | sed 's/ $//')"
	# opaque directories: only the layer's own entries
	assert_eq "keepname new1 newdir" "$(ls -A opq | tr '\n' ' ' | sed 's/ $//')"
	assert_eq "upper" "$(cat opq/keepname)"
	assert_eq "new" "$(ls -A opq2)"
	# modes with setuid/setgid/sticky bits, as recorded
	local p
	for p in perm/suid perm/sgid perm/private perm/sticky tmp data/chmod.txt; do
		assert_eq "$p $(ex ".images.layers.rootfs[] | select(.path == \"$p\") | .mode")" \
			"$p $(printf %04o "0$(stat -c %a "$p")")"
	done
	assert_eq "4755 2755" "$(stat -c %a perm/suid) $(stat -c %a perm/sgid)"
	# symlinks, absolute and relative
	assert_eq /data/keep.txt "$(readlink links/abs)"
	assert_eq ../data/keep.txt "$(readlink links/rel)"
	assert_eq keep "$(cat links/rel)"
	# a hard link: one inode, two names
	assert_eq "2 $(stat -c %i links/orig)" "$(stat -c '%h %i' links/hard)"
	assert_eq "$(ex '.images.layers.rootfs[] | select(.path == "links/hard") | .nlink')" "$(stat -c %h links/orig)"
	# the big file and a fifo, long names, type swaps, a replaced file
	assert_eq "$(ex '.images.layers.rootfs[] | select(.path == "big/random.bin") | "\(.sha256) \(.size)"')" \
		"$(sha256sum big/random.bin | cut -d' ' -f1) $(stat -c %s big/random.bin)"
	[ -p special/fifo ]
	[ "$(cat long/d*/e*/file.txt)" = "long path" ]
	[ "$(cat long/fffff*)" = "long name" ]
	assert_eq 210 "$(ls long | awk '{print length}' | sort -n | tail -1)"
	[ -d swap/f2d ] && [ -f swap/f2d/inner ] && [ -f swap/d2f ]
	assert_eq v2 "$(cat replace.txt)"
	[ ! -e perm/readonly ]
	# the PAX xattr
	assert_eq bar "$($PY -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.foo").decode())' xattr/file)"
	# and every entry, checked against expected.json
	run $PY "$HUSK_SRC/test/fixtures/build.py" --check-rootfs "$HUSK_FIXTURES" layers . --no-owners --mtime
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"layers: 333 entries, 0 differences"* ]]
}

@test "umoci: owners as recorded (chown as root, user.rootlesscontainers rootless)" {
	require_cmd umoci
	if is_root; then
		umoci unpack --image "$HUSK_FIXTURES:husk/layers" "$BATS_TEST_TMPDIR/b" >/dev/null
		cd "$BATS_TEST_TMPDIR/b/rootfs" || return 1
		assert_eq "1234:5678 65534:65534 1000:1000" "$(stat -c %u:%g own/u1234 own/nobody home/husk | tr '\n' ' ' | sed 's/ $//')"
		run $PY "$HUSK_SRC/test/fixtures/build.py" --check-rootfs "$HUSK_FIXTURES" layers . --mtime
		echo "$output"
		[ "$status" -eq 0 ]
		return
	fi
	# rootless umoci keeps owners in a protobuf xattr: 0x08 uid, 0x10 gid
	unpack layers
	run $PY - "$EXP" <<-'EOF'
		import json, os, sys
		def varints(b):
		    out, i = {}, 0
		    while i < len(b):
		        key, i = b[i], i + 1
		        v = s = 0
		        while True:
		            v |= (b[i] & 0x7f) << s
		            s += 7
		            i += 1
		            if not b[i - 1] & 0x80:
		                break
		        out[key] = v
		    return out
		n = 0
		for e in json.load(open(sys.argv[1]))["images"]["layers"]["rootfs"]:
		    if e["type"] == "symlink":
		        continue
		    try:
		        raw = os.getxattr(e["path"], "user.rootlesscontainers")
		    except OSError:
		        raw = b""
		    v = varints(raw)
		    got = (v.get(8, 0), v.get(16, 0))
		    if got != (e["uid"], e["gid"]):
		        print("BAD", e["path"], got, (e["uid"], e["gid"]))
		    n += e["uid"] != 0 or e["gid"] != 0
		print("owned", n)
	EOF
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *BAD* ]]
	assert_eq "owned 6" "$output"
}

@test "umoci: busybox, samelayer, many and layers-uncompressed unpack as recorded" {
	local n
	for n in busybox samelayer many layers-uncompressed; do
		unpack $n
		run $PY "$HUSK_SRC/test/fixtures/build.py" --check-rootfs "$HUSK_FIXTURES" $n . --no-owners
		echo "$output"
		[ "$status" -eq 0 ]
		case $n in
		busybox)
			[ -x bin/busybox ]
			assert_eq busybox "$(readlink bin/sh)"
			assert_eq "husk:x:1000:1000:husk:/home/husk:/bin/sh" "$(grep ^husk: etc/passwd)"
			assert_eq "wheel users" "$(grep husk etc/group | grep -v ^husk: | cut -d: -f1 | tr '\n' ' ' | sed 's/ $//')"
			assert_eq 1777 "$(stat -c %a tmp)"
			assert_eq hello "$(bin/busybox echo hello)"
			;;
		samelayer)
			assert_eq "new foo|new bar|other" "$(cat same/foo)|$(cat same/bar)|$(cat same/other)"
			;;
		many)
			assert_eq 64 "$(ls layers | wc -l)"
			assert_eq "1 37 64" "$(cat layers/1 layers/37 layers/64 | tr '\n' ' ' | sed 's/ $//')"
			;;
		esac
	done
}
