#!/bin/bash
# test/deps.sh build|test: make sure Debian's packages for building (or
# building and testing) husk are installed. As root it installs what is
# missing; otherwise it prints the exact apt-get line and fails.
set -eu
BUILD="gcc make pkg-config libarchive-dev libzstd-dev libcjson-dev
libseccomp-dev libcurl4-openssl-dev libssl-dev"
TEST="bats jq curl python3 python3-cryptography uidmap busybox-static
docker-registry apache2-utils openssl skopeo umoci passt slirp4netns
fuse-overlayfs iproute2 strace zstd attr"
want=$BUILD
[ "${1:-build}" = test ] && want="$BUILD $TEST"
# shellcheck disable=SC2086 # word splitting of the package lists is meant
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $want 2>/dev/null |
	awk '$NF == "installed" { print $1 }')
missing=""
for p in $want; do
	grep -qx "$p" <<<"$installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
# shellcheck disable=SC2086
if [ "$(id -u)" = 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	# never let a package's service start (docker-registry ships one that
	# listens on all interfaces)
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
	fi
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing
else
	echo "husk: missing packages; as root run:" >&2
	echo "  apt-get install --no-install-recommends" $missing >&2
	exit 1
fi
