#!/usr/bin/env bats
# The registry harness itself (test/helpers/harness.sh): every variant answers
# as a client will see it. Needs HUSK_TEST_STATE pointing at an `up` harness.

load helpers

setup() {
	require_registry
	require_cmd curl jq
	TOKEN_SERVICE=husk-test-registry
}

# code ARGS...: curl's HTTP status for ARGS; the headers go to $BATS_TEST_TMPDIR/h.
code() {
	curl -sS -o "$BATS_TEST_TMPDIR/body" -D "$BATS_TEST_TMPDIR/h" \
		-w '%{http_code}' --max-time 10 "$@"
}

# header NAME: the value of header NAME from the last `code` call.
header() {
	tr -d '\r' <"$BATS_TEST_TMPDIR/h" |
		sed -n "s/^$1: *//Ip" | tail -n 1
}

# jwt_claims TOKEN / jwt_header TOKEN: the decoded JSON of a JWT's part.
jwt_part() {
	"$PY" -c 'import base64, sys
p = sys.argv[1].split(".")[int(sys.argv[2])]
sys.stdout.write(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode())' "$1" "$2"
}

# token [CURL-ARGS...] SCOPE: a token from the realm, or fail.
token_for() {
	local scope=$1
	shift
	local c
	c=$(code "$@" "$HUSK_REG_TOKEN_REALM?service=$TOKEN_SERVICE&scope=$scope")
	assert_eq 200 "$c"
	jq -er .token "$BATS_TEST_TMPDIR/body"
}

# fixture: sets FIX_REPO FIX_TAG FIX_DIGEST for the busybox fixture image
# (skips when the harness built no fixtures).
fixture() {
	[ -d "${HUSK_FIXTURES:-/nonexistent}" ] || skip "no fixtures built"
	local exp="$HUSK_FIXTURES/expected.json"
	if [ -f "$exp" ] && jq -e .images.busybox "$exp" >/dev/null; then
		FIX_REPO=$(jq -r .images.busybox.repository "$exp")
		FIX_TAG=$(jq -r .images.busybox.tag "$exp")
		FIX_DIGEST=$(jq -r .images.busybox.digest "$exp")
	else
		FIX_REPO=$(curl -sS "http://$HUSK_REG_PLAIN/v2/_catalog" | jq -r '.repositories[0] // empty')
		[ -n "$FIX_REPO" ] || skip "fixtures built but none pushed"
		FIX_TAG=$(curl -sS "http://$HUSK_REG_PLAIN/v2/$FIX_REPO/tags/list" | jq -r '.tags[0]')
		FIX_DIGEST=""
	fi
}

ACCEPT=(-H 'Accept: application/vnd.oci.image.index.v1+json'
	-H 'Accept: application/vnd.oci.image.manifest.v1+json'
	-H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json'
	-H 'Accept: application/vnd.docker.distribution.manifest.v2+json')

skopeo_() {
	REGISTRY_AUTH_FILE="$BATS_TEST_TMPDIR/auth.json" skopeo --tmpdir "$BATS_TEST_TMPDIR" "$@"
}

@test "env: every variable is set" {
	local v
	for v in HUSK_REG_PLAIN HUSK_REG_TLS HUSK_REG_TLS_CA HUSK_REG_CERTS_D \
		HUSK_REG_BASIC HUSK_REG_BASIC_SCHEME HUSK_REG_TOKEN \
		HUSK_REG_TOKEN_SCHEME HUSK_REG_TOKEN_REALM HUSK_REG_USER \
		HUSK_REG_PASS HUSK_REG_STORAGE HUSK_REG_LOGDIR HUSK_FIXTURES; do
		[ -n "${!v:-}" ] || { echo "$v unset"; return 1; }
	done
	[[ $HUSK_REG_PLAIN =~ ^127\.0\.0\.1:[0-9]+$ ]]
	[[ $HUSK_REG_TOKEN_REALM =~ ^http://127\.0\.0\.1:[0-9]+/token$ ]]
	[ -f "$HUSK_REG_TLS_CA" ]
	[ -f "$HUSK_REG_CERTS_D/$HUSK_REG_TLS/ca.crt" ]
	[ -d "$HUSK_REG_STORAGE/docker" ] || [ ! -d "$HUSK_FIXTURES" ]
}

@test "plain: GET /v2/ is 200 with the distribution API header" {
	run code "http://$HUSK_REG_PLAIN/v2/"
	assert_eq 200 "$output"
	assert_eq registry/2.0 "$(header Docker-Distribution-Api-Version)"
}

@test "plain: the access log records request paths" {
	local marker="/v2/husk-harness-probe-$$-$RANDOM/manifests/x"
	run code "http://$HUSK_REG_PLAIN$marker"
	assert_eq 404 "$output"
	grep -F "\"GET $marker HTTP/1.1\" 404" "$HUSK_REG_LOGDIR/plain.log"
}

@test "plain: serves the pushed fixture manifest by tag and digest" {
	fixture
	run code "${ACCEPT[@]}" "http://$HUSK_REG_PLAIN/v2/$FIX_REPO/manifests/$FIX_TAG"
	assert_eq 200 "$output"
	local dig
	dig=$(header Docker-Content-Digest)
	[ -z "$FIX_DIGEST" ] || assert_eq "$FIX_DIGEST" "$dig"
	run code "${ACCEPT[@]}" "http://$HUSK_REG_PLAIN/v2/$FIX_REPO/manifests/$dig"
	assert_eq 200 "$output"
}

@test "tls: verifies with the CA, fails without it" {
	run code --cacert "$HUSK_REG_TLS_CA" "https://$HUSK_REG_TLS/v2/"
	assert_eq 200 "$output"
	run code --cacert "$HUSK_REG_CERTS_D/$HUSK_REG_TLS/ca.crt" "https://$HUSK_REG_TLS/v2/"
	assert_eq 200 "$output"
	# curl exit 60: peer certificate cannot be authenticated with known CAs.
	run code "https://$HUSK_REG_TLS/v2/"
	assert_eq 60 "$status"
	[[ $output == *"certificate"* ]]
}

@test "tls: the certificate names localhost too, and plain HTTP is refused" {
	local port=${HUSK_REG_TLS##*:}
	run code --resolve "localhost:$port:127.0.0.1" --cacert "$HUSK_REG_TLS_CA" \
		"https://localhost:$port/v2/"
	assert_eq 200 "$output"
	run code "http://$HUSK_REG_TLS/v2/"
	assert_eq 400 "$output"
}

@test "tls: serves the same fixtures (shared storage)" {
	fixture
	run code "${ACCEPT[@]}" --cacert "$HUSK_REG_TLS_CA" \
		"https://$HUSK_REG_TLS/v2/$FIX_REPO/manifests/$FIX_TAG"
	assert_eq 200 "$output"
	[ -z "$FIX_DIGEST" ] || assert_eq "$FIX_DIGEST" "$(header Docker-Content-Digest)"
}

@test "basic: 401 + Basic challenge without credentials, 200 with, 401 with a wrong password" {
	local url="$HUSK_REG_BASIC_SCHEME://$HUSK_REG_BASIC/v2/"
	local ca=(--cacert "$HUSK_REG_TLS_CA")
	run code "${ca[@]}" "$url"
	assert_eq 401 "$output"
	[[ $(header WWW-Authenticate) == 'Basic realm="'*'"' ]]
	run code "${ca[@]}" -u "$HUSK_REG_USER:$HUSK_REG_PASS" "$url"
	assert_eq 200 "$output"
	run code "${ca[@]}" -u "$HUSK_REG_USER:wrong$HUSK_REG_PASS" "$url"
	assert_eq 401 "$output"
	run code "${ca[@]}" -u "nobody:$HUSK_REG_PASS" "$url"
	assert_eq 401 "$output"
}

@test "basic: credentials give the fixture manifest" {
	fixture
	local url="$HUSK_REG_BASIC_SCHEME://$HUSK_REG_BASIC/v2/$FIX_REPO/manifests/$FIX_TAG"
	run code "${ACCEPT[@]}" --cacert "$HUSK_REG_TLS_CA" "$url"
	assert_eq 401 "$output"
	run code "${ACCEPT[@]}" --cacert "$HUSK_REG_TLS_CA" -u "$HUSK_REG_USER:$HUSK_REG_PASS" "$url"
	assert_eq 200 "$output"
}

@test "token: /v2/ challenges with Bearer realm and service" {
	run code "$HUSK_REG_TOKEN_SCHEME://$HUSK_REG_TOKEN/v2/"
	assert_eq 401 "$output"
	assert_eq "Bearer realm=\"$HUSK_REG_TOKEN_REALM\",service=\"$TOKEN_SERVICE\"" \
		"$(header WWW-Authenticate)"
	run code "$HUSK_REG_TOKEN_SCHEME://$HUSK_REG_TOKEN/v2/some/repo/manifests/latest"
	assert_eq 401 "$output"
	assert_eq "Bearer realm=\"$HUSK_REG_TOKEN_REALM\",service=\"$TOKEN_SERVICE\",scope=\"repository:some/repo:pull\"" \
		"$(header WWW-Authenticate)"
}

@test "token: the realm issues x5c-signed JWTs; anonymous gets pull only" {
	local t
	t=$(token_for "repository:husk/x:pull,push")
	jq -e '.access_token and .expires_in > 0 and .issued_at' "$BATS_TEST_TMPDIR/body"
	jwt_part "$t" 0 | jq -e '.alg == "RS256" and (.x5c | length) == 1'
	jwt_part "$t" 1 | jq -e --arg s "$TOKEN_SERVICE" \
		'.aud == $s and .exp > .iat and .access == [{"type":"repository","name":"husk/x","actions":["pull"]}]'
	t=$(token_for "repository:husk/x:pull,push" -u "$HUSK_REG_USER:$HUSK_REG_PASS")
	jwt_part "$t" 1 | jq -e --arg u "$HUSK_REG_USER" \
		'.sub == $u and .access == [{"type":"repository","name":"husk/x","actions":["pull","push"]}]'
}

@test "token: wrong credentials at the realm are 401" {
	run code -u "$HUSK_REG_USER:wrong" "$HUSK_REG_TOKEN_REALM?service=$TOKEN_SERVICE&scope=repository:husk/x:pull"
	assert_eq 401 "$output"
	run code -u "nobody:$HUSK_REG_PASS" "$HUSK_REG_TOKEN_REALM?service=$TOKEN_SERVICE"
	assert_eq 401 "$output"
}

@test "token: an anonymous token pulls; without one it is 401" {
	local base="$HUSK_REG_TOKEN_SCHEME://$HUSK_REG_TOKEN" t
	if [ -d "${HUSK_FIXTURES:-/nonexistent}" ]; then
		fixture
		run code "${ACCEPT[@]}" "$base/v2/$FIX_REPO/manifests/$FIX_TAG"
		assert_eq 401 "$output"
		t=$(token_for "repository:$FIX_REPO:pull")
		run code "${ACCEPT[@]}" -H "Authorization: Bearer $t" "$base/v2/$FIX_REPO/manifests/$FIX_TAG"
		assert_eq 200 "$output"
		[ -z "$FIX_DIGEST" ] || assert_eq "$FIX_DIGEST" "$(header Docker-Content-Digest)"
		# A token for another repository does not open this one.
		t=$(token_for "repository:husk/other:pull")
		run code "${ACCEPT[@]}" -H "Authorization: Bearer $t" "$base/v2/$FIX_REPO/manifests/$FIX_TAG"
		assert_eq 401 "$output"
	else
		t=$(token_for "repository:husk/x:pull")
		run code -H "Authorization: Bearer $t" "$base/v2/"
		assert_eq 200 "$output"
	fi
	# A forged token (right shape, wrong signature) is refused.
	run code -H "Authorization: Bearer ${t%.*}.AAAA" "$base/v2/"
	assert_eq 401 "$output"
}

@test "token: a pull-only token cannot start a blob upload; a push token can" {
	local base="$HUSK_REG_TOKEN_SCHEME://$HUSK_REG_TOKEN" t loc
	t=$(token_for "repository:husk/upload-probe:pull,push")
	run code -X POST -H "Authorization: Bearer $t" "$base/v2/husk/upload-probe/blobs/uploads/"
	assert_eq 401 "$output"
	[[ $(header WWW-Authenticate) == *'error="insufficient_scope"'* ]]
	t=$(token_for "repository:husk/upload-probe:pull,push" -u "$HUSK_REG_USER:$HUSK_REG_PASS")
	run code -X POST -H "Authorization: Bearer $t" "$base/v2/husk/upload-probe/blobs/uploads/"
	assert_eq 202 "$output"
	loc=$(header Location)
	[ -n "$loc" ]
	case $loc in /*) loc="$base$loc" ;; esac
	# Cancel it (Distribution wants the delete action for that), leaving
	# the shared storage as it was.
	t=$(token_for "repository:husk/upload-probe:delete" -u "$HUSK_REG_USER:$HUSK_REG_PASS")
	run code -X DELETE -H "Authorization: Bearer $t" "$loc"
	assert_eq 204 "$output"
}

@test "token: the token server logs its requests" {
	token_for "repository:husk/log-probe-$$:pull" >/dev/null
	grep -F "scope=repository:husk/log-probe-$$:pull" "$HUSK_REG_LOGDIR/tokensrv.log"
}

@test "skopeo: inspect --creds through basic auth" {
	fixture
	require_cmd skopeo
	local tv=(--tls-verify=false)
	[ "$HUSK_REG_BASIC_SCHEME" = http ] || tv=(--cert-dir "$HUSK_REG_CERTS_D/$HUSK_REG_BASIC")
	run skopeo_ inspect "${tv[@]}" --creds "$HUSK_REG_USER:$HUSK_REG_PASS" \
		"docker://$HUSK_REG_BASIC/$FIX_REPO:$FIX_TAG"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ -z "$FIX_DIGEST" ] || assert_eq "$FIX_DIGEST" "$(jq -r .Digest <<<"$output")"
	run skopeo_ inspect "${tv[@]}" --creds "$HUSK_REG_USER:wrong" \
		"docker://$HUSK_REG_BASIC/$FIX_REPO:$FIX_TAG"
	[ "$status" -ne 0 ]
	[[ $output == *nauthorized* || $output == *401* ]]
}

@test "skopeo: inspect through the bearer-token flow, with --creds and anonymously" {
	fixture
	require_cmd skopeo
	local tv=(--tls-verify=false)
	[ "$HUSK_REG_TOKEN_SCHEME" = http ] || tv=(--cert-dir "$HUSK_REG_CERTS_D/$HUSK_REG_TOKEN")
	local ref="docker://$HUSK_REG_TOKEN/$FIX_REPO:$FIX_TAG"
	run skopeo_ inspect "${tv[@]}" --creds "$HUSK_REG_USER:$HUSK_REG_PASS" "$ref"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ -z "$FIX_DIGEST" ] || assert_eq "$FIX_DIGEST" "$(jq -r .Digest <<<"$output")"
	run skopeo_ inspect "${tv[@]}" --no-creds "$ref"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run skopeo_ inspect "${tv[@]}" --creds "$HUSK_REG_USER:wrong" "$ref"
	[ "$status" -ne 0 ]
}

@test "skopeo: inspect over TLS with the certs.d directory, refused without it" {
	fixture
	require_cmd skopeo
	local ref="docker://$HUSK_REG_TLS/$FIX_REPO:$FIX_TAG"
	run skopeo_ inspect --cert-dir "$HUSK_REG_CERTS_D/$HUSK_REG_TLS" "$ref"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run skopeo_ inspect "$ref"
	[ "$status" -ne 0 ]
	[[ $output == *"certificate"* ]]
}
