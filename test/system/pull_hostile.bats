#!/usr/bin/env bats
# husk pull against registries that lie, break and serve hostile layers.
#
# Each failing case checks the whole contract: exit status 125, nothing on
# stdout, exactly one line on stderr "husk: cannot pull 'REF AS TYPED': CAUSE"
# naming what was wrong, and a store left exactly as it was (every path but
# tmp/ and locks/, plus index.json's content), with no scratch directory
# left behind. locks/ is left out of the comparison: flock files are kept on
# purpose (unlinking a lock file someone may be waiting on is racy), they
# hold no data.
#
# Content a real registry would refuse to store comes from
# test/helpers/fake_registry.py, started once for the file; the real
# registry of the harness ($HUSK_REG_PLAIN) supplies a good image for a
# non-empty store, the multi-arch fixture and the "manifest unknown" cases.

load helpers

FAKE_PY="$BATS_TEST_DIRNAME/../helpers/fake_registry.py"

setup_file() {
	local i port=""
	export FAKE_DIR="$BATS_FILE_TMPDIR/fake"
	export FAKE_LOG="$BATS_FILE_TMPDIR/fake.log"
	mkdir -p "$FAKE_DIR"
	: >"$FAKE_LOG"
	# fd 3 closed: bats waits for whoever holds it
	/usr/bin/python3 "$FAKE_PY" "$BATS_FILE_TMPDIR/fake.port" "$FAKE_DIR" \
		--log "$FAKE_LOG" </dev/null >"$BATS_FILE_TMPDIR/fake.out" 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/fake.pid"
	for i in $(seq 1 100); do
		if [ -s "$BATS_FILE_TMPDIR/fake.port" ]; then
			read -r port <"$BATS_FILE_TMPDIR/fake.port"
			break
		fi
		sleep 0.05
	done
	if [ -z "$port" ]; then
		cat "$BATS_FILE_TMPDIR/fake.out" >&2
		return 1
	fi
	export FAKE="127.0.0.1:$port"
}

teardown_file() {
	local pid
	if read -r pid <"$BATS_FILE_TMPDIR/fake.pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
	fi
}

setup() {
	require_registry
	husk_test_dirs
	GOOD="$HUSK_REG_PLAIN/husk/busybox"
	# a unique suffix for this test's names
	U="$$-$BATS_TEST_NUMBER-$RANDOM"
}

# ---- helpers ------------------------------------------------------------

# fake ARGS...: run fake_registry.py (tar and image building).
fake() {
	/usr/bin/python3 "$FAKE_PY" "$@"
}

# add_image NAME [--add-image options]: a fake image at $FAKE/NAME:latest;
# its summary (JSON) goes to $BATS_TEST_TMPDIR/NAME.json (slashes -> _).
add_image() {
	local name=$1
	shift
	fake --add-image "$FAKE_DIR" "$name" latest "$@" \
		>"$BATS_TEST_TMPDIR/${name//\//_}.json"
}

# tar_image NAME ENTRY...: a one-layer fake image whose tar holds ENTRY...
tar_image() {
	local name=$1
	shift
	fake --tar "$BATS_TEST_TMPDIR/layer.tar" "$@"
	add_image "$name" --layer "$BATS_TEST_TMPDIR/layer.tar"
}

# summary NAME JQ: a field of NAME's summary.
summary() {
	jq -r "$2" "$BATS_TEST_TMPDIR/${1//\//_}.json"
}

# snap: the store, minus scratch and lock files, plus index.json.
snap() {
	(
		cd "$HUSK_ROOT" || exit 1
		find . \( -path ./tmp -o -path ./locks \) -prune -o -print |
			LC_ALL=C sort
		echo "--- index.json"
		cat index.json
	)
}

# tmp_empty: no scratch directory or lock is left in the store's tmp/.
tmp_empty() {
	local left
	left=$(ls -A "$HUSK_ROOT/tmp")
	if [ -n "$left" ]; then
		echo "left in $HUSK_ROOT/tmp: $left" >&2
		return 1
	fi
}

# pull_good: a good image, so that the store is not empty.
pull_good() {
	run -0 "$HUSK" pull -q "$GOOD"
}

# pull_fails [PULL-OPTIONS...] REF -- WORD...: `husk pull` fails with the
# whole contract (see the top); the message contains every WORD.
pull_fails() {
	local args=() w before after
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	local ref=${args[-1]}
	before=$(snap)
	run -125 --separate-stderr "$HUSK" pull "${args[@]}"
	if [ -n "$output" ]; then
		echo "stdout not empty: $output" >&2
		return 1
	fi
	if [ "${#stderr_lines[@]}" != 1 ]; then
		printf 'want one line on stderr, got %d:\n%s\n' \
			"${#stderr_lines[@]}" "$stderr" >&2
		return 1
	fi
	case $stderr in
	"husk: cannot pull '$ref': "?*) ;;
	*)
		printf "want \"husk: cannot pull '%s': ...\", got:\n%s\n" \
			"$ref" "$stderr" >&2
		return 1
		;;
	esac
	for w in "$@"; do
		if [[ $stderr != *"$w"* ]]; then
			printf 'message lacks "%s":\n%s\n' "$w" "$stderr" >&2
			return 1
		fi
	done
	after=$(snap)
	if [ "$before" != "$after" ]; then
		echo "the store changed:" >&2
		diff <(echo "$before") <(echo "$after") >&2
		return 1
	fi
	tmp_empty
}

# pull_fails_clean ...: pull_fails on a store holding a good image, then a
# writer (another pull) finds nothing to reap either.
pull_fails_clean() {
	pull_good
	pull_fails "$@"
	pull_good
	tmp_empty
}

# no_file_named NAME: nothing called NAME appeared in this test's
# directory (which holds the store) or next to it.
no_file_named() {
	local found
	# other suites leave directories a rootless user cannot read: find
	# then exits 1, which is not what this asks
	found=$(find "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/.." -maxdepth 12 \
		-name "$1" 2>/dev/null || true)
	if [ -n "$found" ]; then
		echo "written outside the layer: $found" >&2
		return 1
	fi
}

host_arch() {
	case $(uname -m) in
	x86_64) echo amd64 ;;
	aarch64) echo arm64 ;;
	*) uname -m ;;
	esac
}

# gets DIGEST: how many times the fake registry served blob DIGEST.
gets() {
	grep -c "\"GET /v2/[^ ]*/blobs/$1 " "$FAKE_LOG" || true
}

# ---- manifests ----------------------------------------------------------

@test "pull_hostile: a manifest that is not JSON" {
	mkdir -p "$FAKE_DIR/hostile/notjson-$U/manifests"
	printf 'this is { not json' >"$FAKE_DIR/hostile/notjson-$U/manifests/latest"
	pull_fails_clean "$FAKE/hostile/notjson-$U" -- "invalid manifest" JSON
}

@test "pull_hostile: an OCI manifest with schemaVersion 1" {
	fake --tar "$BATS_TEST_TMPDIR/l.tar" d:etc f:etc/hello=hi
	add_image "hostile/schema1-$U" --schema-version 1 \
		--layer "$BATS_TEST_TMPDIR/l.tar"
	pull_fails_clean "$FAKE/hostile/schema1-$U" -- manifest schemaVersion
}

@test "pull_hostile: a Docker schema 1 manifest" {
	local d="$FAKE_DIR/hostile/v1-$U/manifests"
	mkdir -p "$d"
	cat >"$d/latest" <<-'EOF'
		{"schemaVersion": 1, "name": "hostile/v1", "tag": "latest",
		 "architecture": "amd64",
		 "fsLayers": [{"blobSum": "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"}],
		 "history": [{"v1Compatibility": "{}"}], "signatures": []}
	EOF
	echo application/vnd.docker.distribution.manifest.v1+prettyjws >"$d/latest.type"
	pull_fails_clean "$FAKE/hostile/v1-$U" -- manifest schemaVersion
}

@test "pull_hostile: a manifest whose config digest is malformed" {
	fake --tar "$BATS_TEST_TMPDIR/l.tar" d:etc f:etc/hello=hi
	add_image "hostile/cfgdigest-$U" --config-digest 'sha256:XYZ' \
		--layer "$BATS_TEST_TMPDIR/l.tar"
	pull_fails_clean "$FAKE/hostile/cfgdigest-$U" -- "invalid manifest" config
}

@test "pull_hostile: a layer with an unknown media type" {
	fake --tar "$BATS_TEST_TMPDIR/l.tar" d:etc f:etc/hello=hi
	add_image "hostile/mediatype-$U" --layer "$BATS_TEST_TMPDIR/l.tar" \
		--media-type application/vnd.example.weird.layer
	pull_fails_clean "$FAKE/hostile/mediatype-$U" -- \
		"media type" "'application/vnd.example.weird.layer'"
}

@test "pull_hostile: an image index with no entry for the host platform" {
	fake --tar "$BATS_TEST_TMPDIR/l.tar" d:etc f:etc/hello=hi
	add_image "hostile/noplat-$U" --index-platform linux/s390x \
		--index-platform linux/ppc64le --layer "$BATS_TEST_TMPDIR/l.tar"
	pull_fails_clean "$FAKE/hostile/noplat-$U" -- \
		platform "linux/$(host_arch)" linux/s390x
}

@test "pull_hostile: --platform linux/s390x on the multi-arch fixture" {
	pull_fails_clean --platform linux/s390x "$HUSK_REG_PLAIN/husk/multiarch" -- \
		platform "'linux/s390x'"
}

# ---- configs ------------------------------------------------------------

@test "pull_hostile: a config blob that is not JSON" {
	fake --tar "$BATS_TEST_TMPDIR/l.tar" d:etc f:etc/hello=hi
	printf '<html>not a config</html>' >"$BATS_TEST_TMPDIR/config"
	add_image "hostile/cfgjson-$U" --config-raw "$BATS_TEST_TMPDIR/config" \
		--layer "$BATS_TEST_TMPDIR/l.tar"
	pull_fails_clean "$FAKE/hostile/cfgjson-$U" -- "image config" JSON
}

@test "pull_hostile: a config with more diff_ids than layers" {
	fake --tar "$BATS_TEST_TMPDIR/l.tar" d:etc f:etc/hello=hi
	add_image "hostile/diffids-$U" --extra-diffid \
		--layer "$BATS_TEST_TMPDIR/l.tar"
	pull_fails_clean "$FAKE/hostile/diffids-$U" -- "image config" diff_ids \
		"2 diff_ids for 1 layers"
}

@test "pull_hostile: a config with fewer diff_ids than layers" {
	fake --tar "$BATS_TEST_TMPDIR/l.tar" d:etc f:etc/hello=hi
	printf '%s' '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' \
		>"$BATS_TEST_TMPDIR/config"
	add_image "hostile/nodiffids-$U" --config-raw "$BATS_TEST_TMPDIR/config" \
		--layer "$BATS_TEST_TMPDIR/l.tar"
	pull_fails_clean "$FAKE/hostile/nodiffids-$U" -- "image config" \
		"0 diff_ids for 1 layers"
}

# ---- blobs --------------------------------------------------------------

@test "pull_hostile: a layer blob that does not match its digest" {
	local want got
	fake --tar "$BATS_TEST_TMPDIR/l.tar" d:etc "f:etc/hello=hi $U"
	add_image "hostile/digest-$U" --layer "$BATS_TEST_TMPDIR/l.tar" \
		--wrong-digest
	want=$(summary "hostile/digest-$U" '.layers[0].digest')
	got=$(summary "hostile/digest-$U" '.layers[0].real_digest')
	pull_fails_clean "$FAKE/hostile/digest-$U" -- \
		"digest mismatch" "expected $want, got $got"
}

@test "pull_hostile: a truncated layer blob" {
	local digest
	fake --tar "$BATS_TEST_TMPDIR/l.tar.gz" d:data F:data/big=1M
	add_image "hostile/trunc-$U" --layer "$BATS_TEST_TMPDIR/l.tar.gz" \
		--truncate 1000
	digest=$(summary "hostile/trunc-$U" '.layers[0].digest')
	pull_fails_clean "$FAKE/hostile/trunc-$U" -- "'$digest'" truncated
}

@test "pull_hostile: a layer whose diffid in the config is wrong" {
	local want got
	fake --tar "$BATS_TEST_TMPDIR/l.tar.gz" d:etc "f:etc/hello=hi $U"
	add_image "hostile/diffid-$U" --layer "$BATS_TEST_TMPDIR/l.tar.gz" \
		--wrong-diffid
	want=$(summary "hostile/diffid-$U" '.layers[0].diffid')
	got=$(summary "hostile/diffid-$U" '.layers[0].real_diffid')
	pull_fails_clean "$FAKE/hostile/diffid-$U" -- \
		"diffid mismatch" "expected $want, got $got"
}

@test "pull_hostile: a truncated gzip layer" {
	fake --tar "$BATS_TEST_TMPDIR/l.tar.gz" d:data F:data/big=1M
	# the blob's digest is right: only the gzip stream is cut short
	head -c 500000 "$BATS_TEST_TMPDIR/l.tar.gz" >"$BATS_TEST_TMPDIR/cut.tar.gz"
	add_image "hostile/cutgz-$U" --layer "$BATS_TEST_TMPDIR/cut.tar.gz"
	pull_fails_clean "$FAKE/hostile/cutgz-$U" -- gzip
}

@test "pull_hostile: a corrupt gzip layer" {
	local i
	for i in $(seq 1 3000); do printf 'hello %s ' "$i"; done >"$BATS_TEST_TMPDIR/text"
	fake --tar "$BATS_TEST_TMPDIR/l.tar.gz" "p:text=$BATS_TEST_TMPDIR/text"
	# garble the deflate stream just after the 10-byte gzip header
	/usr/bin/python3 -c '
import sys
d = bytearray(open(sys.argv[1], "rb").read())
for i in range(20, 40):
    d[i] ^= 0x5a
open(sys.argv[2], "wb").write(d)' "$BATS_TEST_TMPDIR/l.tar.gz" "$BATS_TEST_TMPDIR/bad.tar.gz"
	add_image "hostile/badgz-$U" --layer "$BATS_TEST_TMPDIR/bad.tar.gz"
	pull_fails_clean "$FAKE/hostile/badgz-$U" -- gzip
}

# ---- hostile tar layers -------------------------------------------------

@test "pull_hostile: a '../' entry is refused" {
	tar_image "hostile/dotdot-$U" d:etc "f:../escape-$U=x"
	pull_fails_clean "$FAKE/hostile/dotdot-$U" -- "'../escape-$U'" unsafe
	no_file_named "escape-$U"
}

@test "pull_hostile: an 'a/../../' entry is refused" {
	tar_image "hostile/dotdot2-$U" d:a "f:a/../../escape-$U=x"
	pull_fails_clean "$FAKE/hostile/dotdot2-$U" -- "'a/../../escape-$U'" unsafe
	no_file_named "escape-$U"
}

@test "pull_hostile: a write through an absolute symlink is refused" {
	local out="$BATS_TEST_TMPDIR/outside"
	mkdir "$out"
	tar_image "hostile/symlink-$U" d:etc "l:evil=$out" "f:evil/file=owned"
	pull_fails_clean "$FAKE/hostile/symlink-$U" -- "'evil/file'" symlink
	assert_eq "" "$(ls -A "$out")"
}

@test "pull_hostile: a write through a symlink to '..' is refused" {
	tar_image "hostile/up-$U" "l:up=.." "f:up/x-$U=owned"
	pull_fails_clean "$FAKE/hostile/up-$U" -- "'up/x-$U'" symlink
	no_file_named "x-$U"
}

@test "pull_hostile: a hardlink to '../../etc/passwd' is refused" {
	local links
	links=$(stat -c %h /etc/passwd)
	tar_image "hostile/hardlink-$U" "f:a=1" "h:link-$U=../../etc/passwd"
	pull_fails_clean "$FAKE/hostile/hardlink-$U" -- \
		"hardlink 'link-$U'" "'../../etc/passwd'"
	assert_eq "$links" "$(stat -c %h /etc/passwd)"
	no_file_named "link-$U"
}

@test "pull_hostile: an absolute path lands inside the layer" {
	local f
	[ ! -e "/etc/husk-abs-$U" ]
	tar_image "hostile/abs-$U" d:/etc "f:/etc/husk-abs-$U=inside $U"
	run -0 "$HUSK" pull -q "$FAKE/hostile/abs-$U"
	f=$(find "$HUSK_ROOT/layers" -mindepth 3 -maxdepth 3 -path "*/etc/husk-abs-$U")
	[ -n "$f" ]
	assert_eq "inside $U" "$(cat "$f")"
	[ ! -e "/etc/husk-abs-$U" ]
	run -0 "$HUSK" images
	[[ $output == *"hostile/abs-$U"* ]]
	tmp_empty
}

@test "pull_hostile: overlay xattrs in a layer are stripped" {
	local f d attrs
	tar_image "hostile/xattr-$U" \
		"x:file=trusted.overlay.opaque=y,user.overlay.redirect=/elsewhere,user.overlay.opaque=y,user.keep=1" \
		"X:dir=trusted.overlay.opaque=y,user.overlay.opaque=y,user.overlay.redirect=/x"
	run -0 "$HUSK" pull -q "$FAKE/hostile/xattr-$U"
	f=$(find "$HUSK_ROOT/layers" -mindepth 2 -maxdepth 2 -name file)
	d=$(find "$HUSK_ROOT/layers" -mindepth 2 -maxdepth 2 -name dir)
	[ -f "$f" ] && [ -d "$d" ]
	if is_root; then
		attrs=$(getfattr --absolute-names -d -m - "$f" "$d")
	else
		# trusted.* is invisible (and unwritable) to a user
		attrs=$(getfattr --absolute-names -d -m '^user\.' "$f" "$d")
	fi
	if [[ $attrs == *overlay* ]]; then
		printf 'overlay xattrs survived:\n%s\n' "$attrs" >&2
		return 1
	fi
	# the ordinary user xattr is kept
	assert_eq 1 "$(getfattr --absolute-names --only-values -n user.keep "$f")"
	tmp_empty
}

# ---- registries and references -------------------------------------------

@test "pull_hostile: registry down" {
	local port
	# shellcheck source=test/helpers/registry.sh
	. "$HUSK_SRC/test/helpers/registry.sh"
	port=$(free_port)
	pull_fails_clean "127.0.0.1:$port/husk/busybox" -- \
		"127.0.0.1:$port" "connection refused"
}

@test "pull_hostile: an uppercase repository is an invalid reference" {
	pull_fails_clean "$FAKE/UPPER/Case" -- "invalid reference"
	pull_fails_clean 'UPPER/Case' -- "invalid reference" lowercase
	# no request reached the registry for it
	run ! grep -F '/UPPER/' "$FAKE_LOG"
}

@test "pull_hostile: a short digest is an invalid reference" {
	pull_fails_clean "$FAKE/x@sha256:123" -- "invalid reference" digest
	pull_fails_clean 'x@sha256:123' -- "invalid reference" digest
	run ! grep -F '/x/manifests/sha256:123' "$FAKE_LOG"
}

@test "pull_hostile: an unknown repository on the real registry" {
	pull_fails_clean "$HUSK_REG_PLAIN/husk/no-such-repo-$U" -- "manifest unknown"
}

@test "pull_hostile: an unknown tag on the real registry" {
	pull_fails_clean "$HUSK_REG_PLAIN/husk/busybox:no-such-tag-$U" -- \
		"manifest unknown"
}

# ---- SIGKILL during a pull ------------------------------------------------

# consistent_layers: every layers/HEX has its HEX.json and the reverse.
consistent_layers() {
	local p hex
	for p in "$HUSK_ROOT"/layers/*; do
		[ -e "$p" ] || continue
		hex=${p##*/}
		hex=${hex%.json}
		if [ ! -d "$HUSK_ROOT/layers/$hex" ] || [ ! -f "$HUSK_ROOT/layers/$hex.json" ]; then
			echo "incomplete layer $hex" >&2
			return 1
		fi
	done
}

# kill_during_pull NAME DELAY: start a pull of $FAKE/NAME, SIGKILL it after
# DELAY seconds.
kill_during_pull() {
	local pid
	"$HUSK" pull -q "$FAKE/$1" >/dev/null 2>&1 3>&- &
	pid=$!
	sleep "$2"
	kill -KILL "$pid"
	wait "$pid" || true
}

# after_kill NAME DIFFID DIGEST: what a killed pull of NAME must leave.
after_kill() {
	local name=$1 diffid=$2 digest=$3
	run -0 "$HUSK" images
	[[ $output != *"$name"* ]]
	[ ! -e "$HUSK_ROOT/layers/${diffid#sha256:}" ]
	[ ! -e "$HUSK_ROOT/layers/${diffid#sha256:}.json" ]
	[ ! -e "$HUSK_ROOT/blobs/sha256/${digest#sha256:}" ]
	consistent_layers
	# a writer reaps what the dead process left in tmp/
	pull_good
	tmp_empty
}

# slow_kill DELAY: a 4 MiB layer served in ~2 s, the pull killed after DELAY.
slow_kill() {
	local name="husk/slow-$U" diffid digest layer
	mkdir "$BATS_TEST_TMPDIR/src"
	head -c 4M /dev/urandom >"$BATS_TEST_TMPDIR/src/big"
	fake --tar "$BATS_TEST_TMPDIR/l.tar.gz" d:data \
		"p:data/big=$BATS_TEST_TMPDIR/src/big" "f:data/small=$U"
	add_image "$name" --layer "$BATS_TEST_TMPDIR/l.tar.gz" --slow 0.03
	diffid=$(summary "$name" '.layers[0].diffid')
	digest=$(summary "$name" '.layers[0].digest')
	pull_good
	kill_during_pull "$name" "$1"
	# killed mid-download: its scratch directory is still there
	if [ "$1" != 0.2 ]; then
		[ -n "$(ls -A "$HUSK_ROOT/tmp")" ]
	fi
	after_kill "$name" "$diffid" "$digest"
	# then a normal pull works and unpacks the right tree
	rm -f "$FAKE_DIR/blobs/$digest.slow"
	run -0 "$HUSK" pull -q "$FAKE/$name"
	layer="$HUSK_ROOT/layers/${diffid#sha256:}"
	cmp "$BATS_TEST_TMPDIR/src/big" "$layer/data/big"
	assert_eq "$U" "$(cat "$layer/data/small")"
	assert_eq "big small" "$(cd "$layer/data" && echo *)"
	consistent_layers
	tmp_empty
	run -0 "$HUSK" images
	[[ $output == *"$name"* ]]
}

@test "pull_hostile: SIGKILL 0.2 s into a pull" {
	slow_kill 0.2
}

@test "pull_hostile: SIGKILL 0.6 s into a pull" {
	slow_kill 0.6
}

@test "pull_hostile: SIGKILL 1.2 s into a pull" {
	slow_kill 1.2
}

@test "pull_hostile: SIGKILL while a second layer is still downloading" {
	local name="husk/slow2-$U" d1 id1 d2 id2 l1 had1=0
	mkdir "$BATS_TEST_TMPDIR/src"
	head -c 100K /dev/urandom >"$BATS_TEST_TMPDIR/src/one"
	head -c 4M /dev/urandom >"$BATS_TEST_TMPDIR/src/two"
	fake --tar "$BATS_TEST_TMPDIR/1.tar.gz" "p:one=$BATS_TEST_TMPDIR/src/one"
	fake --tar "$BATS_TEST_TMPDIR/2.tar.gz" "p:two=$BATS_TEST_TMPDIR/src/two"
	add_image "$name" --layer "$BATS_TEST_TMPDIR/1.tar.gz" \
		--layer "$BATS_TEST_TMPDIR/2.tar.gz" --slow 0.03
	d1=$(summary "$name" '.layers[0].digest')
	id1=$(summary "$name" '.layers[0].diffid')
	d2=$(summary "$name" '.layers[1].digest')
	id2=$(summary "$name" '.layers[1].diffid')
	pull_good
	kill_during_pull "$name" 0.8
	[ -n "$(ls -A "$HUSK_ROOT/tmp")" ]
	after_kill "$name" "$id2" "$d2"
	# the fast layer is either absent or complete
	l1="$HUSK_ROOT/layers/${id1#sha256:}"
	if [ -e "$l1" ]; then
		had1=1
		cmp "$BATS_TEST_TMPDIR/src/one" "$l1/one"
		[ -f "$HUSK_ROOT/blobs/sha256/${d1#sha256:}" ]
	fi
	rm -f "$FAKE_DIR/blobs/$d2.slow"
	run -0 "$HUSK" pull -q "$FAKE/$name"
	cmp "$BATS_TEST_TMPDIR/src/one" "$l1/one"
	cmp "$BATS_TEST_TMPDIR/src/two" "$HUSK_ROOT/layers/${id2#sha256:}/two"
	consistent_layers
	tmp_empty
	# a layer the killed pull had committed is not downloaded again
	if [ "$had1" = 1 ]; then
		assert_eq 1 "$(gets "$d1")"
	fi
}

# ---- concurrency ------------------------------------------------------------

# concurrent_pulls: two `husk pull` of one two-layer image at once, into
# the store as it is: both succeed, with the same id, and each layer blob
# is downloaded once.
concurrent_pulls() {
	local name="husk/twice-$U" p1 p2 rc1=0 rc2=0 d
	fake --tar "$BATS_TEST_TMPDIR/1.tar.gz" d:a F:a/one=2M
	fake --tar "$BATS_TEST_TMPDIR/2.tar.gz" d:b F:b/two=2M
	add_image "$name" --layer "$BATS_TEST_TMPDIR/1.tar.gz" --slow 0.02 \
		--layer "$BATS_TEST_TMPDIR/2.tar.gz" --slow 0.02
	"$HUSK" pull -q "$FAKE/$name" >"$BATS_TEST_TMPDIR/out1" 2>&1 3>&- &
	p1=$!
	"$HUSK" pull -q "$FAKE/$name" >"$BATS_TEST_TMPDIR/out2" 2>&1 3>&- &
	p2=$!
	wait "$p1" || rc1=$?
	wait "$p2" || rc2=$?
	cat "$BATS_TEST_TMPDIR/out1" "$BATS_TEST_TMPDIR/out2"
	assert_eq 0 "$rc1"
	assert_eq 0 "$rc2"
	assert_eq "$(summary "$name" .config | cut -d: -f2)" "$(cat "$BATS_TEST_TMPDIR/out1")"
	assert_eq "$(cat "$BATS_TEST_TMPDIR/out1")" "$(cat "$BATS_TEST_TMPDIR/out2")"
	for d in $(summary "$name" '.layers[].digest'); do
		assert_eq 1 "$(gets "$d")"
	done
	run -0 "$HUSK" images
	assert_eq 1 "$(grep -c "$name" <<<"$output")"
	consistent_layers
	tmp_empty
}

@test "pull_hostile: two concurrent pulls into a store with images" {
	pull_good
	concurrent_pulls
}

@test "pull_hostile: two concurrent pulls create a new store together" {
	[ ! -e "$HUSK_ROOT" ]
	concurrent_pulls
}
