#!/bin/bash
# The system suite's registry harness.
#
#   bash test/helpers/harness.sh up STATEDIR     start everything, write STATEDIR/env
#   bash test/helpers/harness.sh down STATEDIR   stop what `up` started
#
# `up` starts, all on 127.0.0.1 and sharing one filesystem storage:
#   plain   HTTP, no auth
#   tls     HTTPS, server cert signed by the harness's own CA
#   basic   HTTP + htpasswd basic auth (Distribution 2.8.2 allows it on HTTP)
#   token   HTTP + bearer tokens from test/helpers/token_server.py
# then builds the fixture images (test/fixtures/build.py) and pushes them
# into `plain` (test/fixtures/push.py), so all four serve them. Finally it
# writes STATEDIR/env (sourceable `export` lines):
#   HUSK_REG_PLAIN HUSK_REG_TLS HUSK_REG_TLS_CA HUSK_REG_CERTS_D
#   HUSK_REG_BASIC HUSK_REG_BASIC_SCHEME
#   HUSK_REG_TOKEN HUSK_REG_TOKEN_SCHEME HUSK_REG_TOKEN_REALM
#   HUSK_REG_USER HUSK_REG_PASS HUSK_REG_STORAGE HUSK_REG_LOGDIR HUSK_FIXTURES
# Logs: HUSK_REG_LOGDIR/{plain,tls,basic,token,tokensrv}.log.
#
# STATEDIR must be absent, empty, or a previous harness state directory (it is
# then stopped and wiped). Nothing needs root; all files are world-readable.
# Can also be sourced, for harness_up / harness_down.

set -u

_HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/helpers/registry.sh
. "$_HARNESS_DIR/registry.sh"
: "${HUSK_SRC:=$(cd "$_HARNESS_DIR/../.." && pwd)}"

_h_err() { printf 'harness: %s\n' "$*" >&2; }
_h_export() { printf 'export %s=%q\n' "$1" "$2"; }

harness_down() {
	local state=${1:?down STATEDIR}
	reg_stop_all "$state"
}

# _h_fresh STATEDIR: make STATEDIR an empty directory, refusing to wipe
# anything that is not ours.
_h_fresh() {
	local state=$1
	if [ -d "$state" ] && [ -n "$(ls -A "$state")" ]; then
		if [ ! -e "$state/.husk-harness" ]; then
			_h_err "$state exists, is not empty and is not a harness state directory; refusing to touch it"
			return 1
		fi
		reg_stop_all "$state"
		rm -rf "$state" || return 1
	fi
	mkdir -p "$state" && touch "$state/.husk-harness"
}

harness_up() {
	local state=${1:?up STATEDIR}
	local t0 t1
	t0=$(_reg_now_us)
	case $state in /*) ;; *) state="$(pwd)/$state" ;; esac
	umask 022
	_h_fresh "$state" || return 1
	state=$(cd "$state" && pwd)

	# Anything failing or an interrupt from here on stops what was started.
	trap 'reg_stop_all "$state"; trap - INT TERM; exit 130' INT TERM
	if ! _harness_start "$state"; then
		_h_err "up failed; stopping what was started (logs in $state)"
		reg_stop_all "$state"
		trap - INT TERM
		return 1
	fi
	trap - INT TERM
	t1=$(_reg_now_us)
	_h_err "up in $(((t1 - t0) / 1000)) ms; env: $state/env"
}

_harness_start() {
	local state=$1
	local storage="$state/storage" fixtures="$state/fixtures"
	local plain tls basic token basic_scheme token_scheme realm

	reg_init "$state" || return 1
	mkdir -p "$storage" || return 1
	# Start the token issuer and three registries at once (each waits for
	# its own readiness), then the token registry, which needs the realm.
	local v bg=() rc=0
	( tok_start "$state" tokensrv ) &
	bg+=($!)
	for v in plain tls basic; do
		( reg_start "$v" "$state" "$storage" "$v" ) &
		bg+=($!)
	done
	for v in "${bg[@]}"; do
		wait "$v" || rc=1
	done
	[ "$rc" = 0 ] || return 1
	read -r realm <"$state/token_realm" || return 1
	reg_start token "$state" "$storage" token || return 1
	token=$REG_ADDR token_scheme=$REG_SCHEME
	local _pid
	read -r _ plain _pid <"$state/plain.addr" || return 1
	read -r _ tls _pid <"$state/tls.addr" || return 1
	read -r basic_scheme basic _pid <"$state/basic.addr" || return 1

	local build="$HUSK_SRC/test/fixtures/build.py"
	local push="$HUSK_SRC/test/fixtures/push.py"
	if [ -f "$build" ]; then
		/usr/bin/python3 "$build" "$fixtures" || {
			_h_err "fixture build failed: $build $fixtures"
			return 1
		}
		if [ -f "$push" ]; then
			/usr/bin/python3 "$push" "$plain" "$fixtures" || {
				_h_err "fixture push failed: $push $plain $fixtures"
				return 1
			}
		else
			_h_err "no $push: fixtures built but not pushed"
		fi
	else
		_h_err "no $build: skipping fixtures"
	fi

	{
		printf '# written by test/helpers/harness.sh up; pids in %s/pids\n' "$state"
		printf '# basic and token are plain HTTP (Distribution 2.8.2 serves\n'
		printf '# htpasswd auth without TLS); tls is HTTPS with HUSK_REG_TLS_CA.\n'
		_h_export HUSK_REG_PLAIN "$plain"
		_h_export HUSK_REG_TLS "$tls"
		_h_export HUSK_REG_TLS_CA "$state/certs/ca.pem"
		_h_export HUSK_REG_CERTS_D "$state/certs.d"
		_h_export HUSK_REG_BASIC "$basic"
		_h_export HUSK_REG_BASIC_SCHEME "$basic_scheme"
		_h_export HUSK_REG_TOKEN "$token"
		_h_export HUSK_REG_TOKEN_SCHEME "$token_scheme"
		_h_export HUSK_REG_TOKEN_REALM "$realm"
		_h_export HUSK_REG_USER "$REG_USER"
		_h_export HUSK_REG_PASS "$REG_PASS"
		_h_export HUSK_REG_STORAGE "$storage"
		_h_export HUSK_REG_LOGDIR "$state"
		_h_export HUSK_FIXTURES "$fixtures"
	} >"$state/env.tmp" || return 1
	mv "$state/env.tmp" "$state/env" || return 1
	chmod -R a+rX "$state" 2>/dev/null
	return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	up) [ $# -eq 2 ] || { _h_err "usage: $0 up STATEDIR"; exit 2; }
		harness_up "$2" || exit 1 ;;
	down) [ $# -eq 2 ] || { _h_err "usage: $0 down STATEDIR"; exit 2; }
		harness_down "$2" || exit 1 ;;
	*) _h_err "usage: $0 up|down STATEDIR"; exit 2 ;;
	esac
fi
