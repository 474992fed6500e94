#!/bin/bash
# `make demo`: husk's main job on this machine: start a local registry
# (Debian's docker-registry on 127.0.0.1) with the fixture images, pull one
# into a throw-away store and run containers from it.
set -eu
cd "$(dirname "$0")/.."
state=$(mktemp -d "${TMPDIR:-/tmp}/husk-demo.XXXXXX")
export HUSK_ROOT="$state/store"
cleanup() {
	bash test/helpers/harness.sh down "$state/registry" >/dev/null 2>&1 || true
	if [ "$(id -u)" = 0 ]; then rm -rf "$state"; else ./husk unshare rm -rf "$state"; fi
}
trap cleanup EXIT
say() { printf '\n$ %s\n' "$*"; }

say ./husk version
./husk version
say ./husk info
./husk info
echo
echo "starting a local registry with the fixture images..."
bash test/helpers/harness.sh up "$state/registry" >/dev/null
# shellcheck disable=SC1091
. "$state/registry/env"
say ./husk pull "$HUSK_REG_PLAIN/husk/layers"
./husk pull "$HUSK_REG_PLAIN/husk/layers"
say ./husk pull "$HUSK_REG_PLAIN/husk/busybox"
./husk pull "$HUSK_REG_PLAIN/husk/busybox"
say ./husk images
./husk images
say ./husk run --rm "$HUSK_REG_PLAIN/husk/busybox" sh -c "'echo hello from \$(hostname); id; ps'"
# shellcheck disable=SC2016 # expanded inside the container
./husk run --rm "$HUSK_REG_PLAIN/husk/busybox" sh -c 'echo hello from $(hostname); id; ps'
say ./husk run --rm -u husk "$HUSK_REG_PLAIN/husk/layers" sh -c "'id; ls /opq'"
./husk run --rm -u husk "$HUSK_REG_PLAIN/husk/layers" sh -c 'id; ls /opq'
say ./husk run --rm "$HUSK_REG_PLAIN/husk/busybox" sh -c "'exit 42'"
./husk run --rm "$HUSK_REG_PLAIN/husk/busybox" sh -c 'exit 42' || echo "exit status: $?"
say ./husk run --rm "$HUSK_REG_PLAIN/husk/busybox" nosuchcommand
./husk run --rm "$HUSK_REG_PLAIN/husk/busybox" nosuchcommand || echo "exit status: $?"

say ./husk run -d --name demo "$HUSK_REG_PLAIN/husk/busybox" sh -c "'echo started; while :; do sleep 1; done'"
./husk run -d --name demo "$HUSK_REG_PLAIN/husk/busybox" sh -c 'echo started; while :; do sleep 1; done'
say ./husk ps
./husk ps
say ./husk exec demo ps
./husk exec demo ps
say ./husk logs demo
./husk logs demo
say ./husk stop -t 1 demo
./husk stop -t 1 demo
say ./husk ps -a
./husk ps -a
say ./husk rm demo
./husk rm demo

say ./husk run --rm -v demo-data:/data "$HUSK_REG_PLAIN/husk/busybox" sh -c "'echo kept > /data/f'"
./husk run --rm -v demo-data:/data "$HUSK_REG_PLAIN/husk/busybox" sh -c 'echo kept > /data/f'
say ./husk run --rm -v demo-data:/data:ro "$HUSK_REG_PLAIN/husk/busybox" cat /data/f
./husk run --rm -v demo-data:/data:ro "$HUSK_REG_PLAIN/husk/busybox" cat /data/f
say ./husk volume ls
./husk volume ls
say ./husk volume rm demo-data
./husk volume rm demo-data

# the tutorials' web server, with busybox httpd: a free port on 127.0.0.1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
say ./husk run -d --name web -p "127.0.0.1:$port:80" "$HUSK_REG_PLAIN/husk/busybox" \
	sh -c "'echo hello from a container > /index.html; exec httpd -f -p 80 -h /'"
./husk run -d --name web -p "127.0.0.1:$port:80" "$HUSK_REG_PLAIN/husk/busybox" \
	sh -c 'echo hello from a container > /index.html; exec httpd -f -p 80 -h /' >/dev/null
say curl -s "http://127.0.0.1:$port/"
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" && break; sleep 0.1; done
say ./husk port web
./husk port web
say ./husk rm -f web
./husk rm -f web
