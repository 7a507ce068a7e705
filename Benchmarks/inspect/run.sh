#!/bin/sh
# One command: build guard (release, static stdlib), install the ModSecurity anchor if
# needed, and print guard vs ModSecurity + CRS side by side on the shared corpus.
#   Benchmarks/inspect/run.sh            # PL1 anchor
#   Benchmarks/inspect/run.sh --pl 1 --pl 2
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${GUARD_CORPUS:-$root/../shared/corpus/corpus.jsonl}
if ! [ -e /usr/include/modsecurity/modsecurity.h ] || ! [ -d /usr/share/modsecurity-crs/rules ]; then
    echo "installing libmodsecurity-dev and modsecurity-crs (apt-get)" >&2
    apt-get install -y -q libmodsecurity-dev modsecurity-crs >/dev/null
fi
command -v taskset >/dev/null || { echo "taskset (util-linux) is needed" >&2; exit 2; }
(cd "$root" && swift build -c release --static-swift-stdlib --product guard >&2)
exec python3 "$root/Benchmarks/inspect/bench.py" --guard "$root/.build/release/guard" --corpus "$corpus" "$@"
