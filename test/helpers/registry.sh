# shellcheck shell=bash
# REG_* are this file's outputs, read by whoever sources it.
# shellcheck disable=SC2034
# Private Docker registries on the loopback, for husk's tests.
#
# Source this file (bash; `set -u` friendly; never calls `exit`):
#
#   free_port                  print a free 127.0.0.1 TCP port
#   reg_init STATEDIR          make STATEDIR's CA, server cert, token-signing
#                              cert and htpasswd (once); sets REG_USER,
#                              REG_PASS, REG_CA
#   tok_start STATEDIR [NAME]  start the token issuer (token_server.py);
#                              sets REG_TOKEN_ADDR, REG_TOKEN_REALM
#   reg_start VARIANT STATEDIR STORAGE [NAME]
#                              start a docker-registry; sets REG_ADDR,
#                              REG_SCHEME, REG_PID, REG_LOG
#   reg_stop_all STATEDIR      stop every process recorded in STATEDIR/pids
#
# VARIANT is plain | tls | basic | token, or basic+tls / token+tls for an
# authenticating registry behind HTTPS. `basic` and `token` alone are plain
# HTTP: Distribution 2.8.2 serves htpasswd auth over HTTP without complaint.
#
# Layout under STATEDIR (everything world-readable, test keys included):
#   pids                  one pid per line, every process started here
#   NAME.yml  NAME.log    registry config; stdout+stderr (access log with
#                         request lines: `"GET /v2/x/blobs/sha256:.. HTTP/1.1" 200`)
#   NAME.addr             "SCHEME 127.0.0.1:PORT PID" once NAME answers
#   tokensrv.log          token issuer: one line per request (default NAME)
#   token_realm           realm URL of the running token issuer
#   certs/                ca.pem ca.key server.pem server.key token.pem token.key
#   certs.d/ADDR/ca.crt   for every TLS registry (containers/docker layout)
#   htpasswd  creds       bcrypt htpasswd; "USER PASS"
#
# Tunables: REG_START_TIMEOUT (seconds, default 10), REG_USER/REG_PASS
# (before the first reg_init of a STATEDIR), REG_TOKEN_SERVICE,
# REG_TOKEN_ISSUER.

_REG_HELPERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_REG_PY=/usr/bin/python3
: "${REG_TOKEN_SERVICE:=husk-test-registry}"
: "${REG_TOKEN_ISSUER:=husk-test-issuer}"

_reg_err() { printf 'registry.sh: %s\n' "$*" >&2; }

# Microseconds since the epoch.
_reg_now_us() { local t=${EPOCHREALTIME//[!0-9]/}; printf "%s" "$t"; }

free_port() {
	"$_REG_PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# _reg_ours PID: true if PID is a live (non-zombie) process of ours.
_reg_ours() {
	local pid=$1 cmd
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
	case $cmd in
	*docker-registry*|*token_server.py*) return 0 ;;
	esac
	return 1
}

# _reg_record STATEDIR PID
_reg_record() { printf '%s\n' "$2" >>"$1/pids"; }

reg_init() {
	local state=${1:?reg_init STATEDIR}
	local c="$state/certs"
	mkdir -p "$c" "$state/certs.d" || return 1
	touch "$state/.husk-harness"
	if [ ! -s "$c/server.pem" ]; then
		(
			set -e
			cd "$c"
			openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
				-nodes -keyout ca.key -out ca.pem -days 30 \
				-subj /CN=husk-test-ca \
				-addext basicConstraints=critical,CA:TRUE \
				-addext keyUsage=critical,keyCertSign,cRLSign
			openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
				-nodes -keyout server.key -out server.csr \
				-subj /CN=localhost
			printf '%s\n' \
				'subjectAltName=IP:127.0.0.1,DNS:localhost' \
				'basicConstraints=critical,CA:FALSE' \
				'keyUsage=critical,digitalSignature,keyEncipherment' \
				'extendedKeyUsage=serverAuth' >server.ext
			openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
				-set_serial "0x$(openssl rand -hex 8)" -days 30 \
				-extfile server.ext -out server.pem
			rm -f server.csr server.ext
			# The token signer: RS256 needs RSA. Self-signed; the registry's
			# rootcertbundle is this very certificate.
			openssl req -x509 -newkey rsa:2048 -nodes -keyout token.key \
				-out token.pem -days 30 -subj /CN=husk-test-token-signer
			chmod 0644 ./*.key ./*.pem
		) >"$state/certs.out" 2>&1 || {
			_reg_err "making certificates failed:"
			cat "$state/certs.out" >&2
			return 1
		}
	fi
	if [ ! -s "$state/creds" ]; then
		local user=${REG_USER:-huskuser}
		local pass=${REG_PASS:-$(openssl rand -hex 12)}
		htpasswd -Bbn "$user" "$pass" >"$state/htpasswd" || {
			_reg_err "htpasswd failed"
			return 1
		}
		printf '%s %s\n' "$user" "$pass" >"$state/creds"
		chmod 0644 "$state/htpasswd" "$state/creds"
	fi
	read -r REG_USER REG_PASS <"$state/creds"
	REG_CA="$c/ca.pem"
}

# _reg_wait PID URL CODES LOG [CURL-ARGS...]: wait until URL answers one of
# CODES (a regex) or PID dies. Returns 0 ready, 1 timeout, 2 died.
_reg_wait() {
	local pid=$1 url=$2 codes=$3 log=$4
	shift 4
	local deadline code
	deadline=$(($(_reg_now_us) + ${REG_START_TIMEOUT:-10} * 1000000))
	while :; do
		code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 1 \
			"$@" "$url" 2>/dev/null) || code=000
		if [[ $code =~ ^($codes)$ ]]; then
			return 0
		fi
		if ! _reg_ours "$pid"; then
			return 2
		fi
		if [ "$(_reg_now_us)" -ge "$deadline" ]; then
			_reg_err "timed out after ${REG_START_TIMEOUT:-10}s waiting for $url (last status $code); log $log"
			return 1
		fi
		sleep 0.03
	done
}

_reg_kill_one() {
	local pid=$1
	_reg_ours "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		_reg_ours "$pid" || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

tok_start() {
	local state=${1:?tok_start STATEDIR [NAME]} name=${2:-tokensrv}
	local port pid rc log="$state/$name.log"
	reg_init "$state" || return 1
	for _ in 1 2 3; do
		port=$(free_port) || return 1
		"$_REG_PY" "$_REG_HELPERS_DIR/token_server.py" "$port" \
			--key "$state/certs/token.key" --cert "$state/certs/token.pem" \
			--user "$REG_USER" --pass "$REG_PASS" \
			--issuer "$REG_TOKEN_ISSUER" \
			</dev/null >>"$log" 2>&1 3>&- 4>&- 5>&- &
		pid=$!
		_reg_record "$state" "$pid"
		rc=0
		_reg_wait "$pid" "http://127.0.0.1:$port/token?service=probe" 200 "$log" || rc=$?
		case $rc in
		0)
			REG_TOKEN_ADDR="127.0.0.1:$port"
			REG_TOKEN_REALM="http://$REG_TOKEN_ADDR/token"
			printf '%s\n' "$REG_TOKEN_REALM" >"$state/token_realm"
			chmod 0644 "$log" "$state/token_realm" 2>/dev/null
			return 0
			;;
		2)
			if grep -q 'Address already in use' "$log"; then
				continue
			fi
			_reg_err "token server died on start; $log:"
			tail -n 20 "$log" >&2
			return 1
			;;
		*)
			_reg_kill_one "$pid"
			return 1
			;;
		esac
	done
	_reg_err "token server: no free port after 3 attempts"
	return 1
}

reg_start() {
	local variant=${1:?reg_start VARIANT STATEDIR STORAGE [NAME]}
	local state=${2:?reg_start VARIANT STATEDIR STORAGE [NAME]}
	local storage=${3:?reg_start VARIANT STATEDIR STORAGE [NAME]}
	local name=${4:-$1}
	name=${name//+/-}
	local tls=0 auth=none
	case $variant in
	plain) ;;
	tls) tls=1 ;;
	basic) auth=basic ;;
	token) auth=token ;;
	basic+tls|tls+basic) auth=basic tls=1 ;;
	token+tls|tls+token) auth=token tls=1 ;;
	*)
		_reg_err "unknown variant '$variant' (plain|tls|basic|token|basic+tls|token+tls)"
		return 1
		;;
	esac
	reg_init "$state" || return 1
	mkdir -p "$storage" || return 1
	storage=$(cd "$storage" && pwd)

	local realm=""
	if [ "$auth" = token ]; then
		if [ -s "$state/token_realm" ]; then
			read -r realm <"$state/token_realm"
		else
			tok_start "$state" || return 1
			realm=$REG_TOKEN_REALM
		fi
	fi

	local cfg="$state/$name.yml" log="$state/$name.log"
	local scheme=http curl_tls=()
	if [ "$tls" = 1 ]; then
		scheme=https
		curl_tls=(--cacert "$state/certs/ca.pem")
	fi
	local secret port pid rc
	secret=$(openssl rand -hex 16)
	for _ in 1 2 3; do
		port=$(free_port) || return 1
		{
			cat <<-EOF
				version: 0.1
				log:
				  level: info
				  formatter: text
				  accesslog:
				    disabled: false
				  fields:
				    variant: $name
				storage:
				  filesystem:
				    rootdirectory: $storage
				  delete:
				    enabled: true
				  redirect:
				    disable: true
				  maintenance:
				    uploadpurging:
				      enabled: false
				http:
				  addr: 127.0.0.1:$port
				  secret: $secret
				  headers:
				    X-Content-Type-Options: [nosniff]
			EOF
			if [ "$tls" = 1 ]; then
				cat <<-EOF
					  tls:
					    certificate: $state/certs/server.pem
					    key: $state/certs/server.key
				EOF
			fi
			case $auth in
			basic)
				cat <<-EOF
					auth:
					  htpasswd:
					    realm: husk-basic
					    path: $state/htpasswd
				EOF
				;;
			token)
				cat <<-EOF
					auth:
					  token:
					    realm: $realm
					    service: $REG_TOKEN_SERVICE
					    issuer: $REG_TOKEN_ISSUER
					    rootcertbundle: $state/certs/token.pem
				EOF
				;;
			esac
		} >"$cfg"
		docker-registry serve "$cfg" </dev/null >"$log" 2>&1 3>&- 4>&- 5>&- &
		pid=$!
		_reg_record "$state" "$pid"
		rc=0
		_reg_wait "$pid" "$scheme://127.0.0.1:$port/v2/" '200|401' "$log" \
			"${curl_tls[@]}" || rc=$?
		case $rc in
		0)
			REG_ADDR="127.0.0.1:$port"
			REG_SCHEME=$scheme
			REG_PID=$pid
			REG_LOG=$log
			printf '%s %s %s\n' "$REG_SCHEME" "$REG_ADDR" "$REG_PID" >"$state/$name.addr"
			if [ "$tls" = 1 ]; then
				mkdir -p "$state/certs.d/$REG_ADDR"
				cp "$state/certs/ca.pem" "$state/certs.d/$REG_ADDR/ca.crt"
			fi
			chmod -R a+rX "$state/certs.d" "$cfg" "$log" 2>/dev/null
			return 0
			;;
		2)
			if grep -q 'address already in use' "$log"; then
				continue
			fi
			_reg_err "registry '$name' died on start; $log:"
			tail -n 20 "$log" >&2
			return 1
			;;
		*)
			tail -n 20 "$log" >&2
			_reg_kill_one "$pid"
			return 1
			;;
		esac
	done
	_reg_err "registry '$name': no free port after 3 attempts"
	return 1
}

reg_stop_all() {
	local state=${1:?reg_stop_all STATEDIR}
	local pidfile="$state/pids" pid left
	[ -f "$pidfile" ] || return 0
	local pids=()
	while read -r pid; do
		[ -n "$pid" ] && pids+=("$pid")
	done <"$pidfile"
	for pid in "${pids[@]}"; do
		_reg_ours "$pid" && kill -TERM "$pid" 2>/dev/null
	done
	for _ in $(seq 1 30); do
		left=0
		for pid in "${pids[@]}"; do
			_reg_ours "$pid" && left=1
		done
		[ "$left" = 0 ] && break
		sleep 0.1
	done
	for pid in "${pids[@]}"; do
		_reg_ours "$pid" && kill -KILL "$pid" 2>/dev/null
	done
	rm -f "$pidfile"
	return 0
}
