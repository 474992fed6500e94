#!/bin/bash
# `make demo`: what husk does on this machine, today. It grows into "start a
# local registry with a fixture image, pull it and run it" as pull and run
# land (issues 4 and 5).
set -eu
cd "$(dirname "$0")/.."
echo "\$ ./husk version"
./husk version
echo
echo "\$ ./husk info"
./husk info
