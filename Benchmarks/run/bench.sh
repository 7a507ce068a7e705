#!/usr/bin/env bash
# guard run: start-up, allowed-syscall cost and supervised-open cost, each beside its
# baseline in one run. Usage: Benchmarks/run/bench.sh   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
# The release build the README ships: one static executable (no ld.so work at start-up).
FLAGS=(-c release --scratch-path .build-bench -Xswiftc -static-executable)
swift build "${FLAGS[@]}" --product guard >/dev/null
swift build "${FLAGS[@]}" --product GuardProbe >/dev/null
BIN=$(swift build "${FLAGS[@]}" --show-bin-path)
G=$BIN/guard P=$BIN/GuardProbe
OUT=$(mktemp -d)
gcc -O2 -o "$OUT/notify_continue" Benchmarks/run/notify_continue.c -lseccomp
cat > "$OUT/files.json" <<'JSON'
{"version": 1, "defaults": {"files": {"read": ["/**"], "write": ["/tmp/**", "/dev/null"], "deny": ["/etc/shadow"]}}}
JSON

echo "== start-up: /bin/true vs guard run -- /bin/true (default policy), median of hyperfine runs"
hyperfine -N --warmup 20 --runs 300 --export-json "$OUT/start.json" \
    "/bin/true" "$G run --report /dev/null -- /bin/true" \
    "$G run --report /dev/null -p $OUT/files.json -- /bin/true" >/dev/null
python3 - "$OUT/start.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = r[0]["median"] * 1e3
for x in r:
    print(f"  {x['command'][:70]:70s} median {x['median']*1e3:7.3f} ms  (+{x['median']*1e3-base:6.3f} ms)")
PY

echo "== allowed syscall (getppid) in a tight loop, ns per call, 5 runs each, best"
best() { local b=1e9; for i in 1 2 3 4 5; do v=$("$@" | awk '{print $2}'); b=$(python3 -c "print(min($b,$v))"); done; echo $b; }
bare=$(best $P loop-getppid 5000000)
onerule=$(best "$OUT/notify_continue" $P loop-getppid 5000000)
guarded=$(best $G run --report /dev/null -- $P loop-getppid 5000000)
echo "  bare $bare ns; any seccomp filter (1 rule, libseccomp) $onerule ns (+$(python3 -c "print(round($onerule-$bare,2))"));" \
     "guard default policy $guarded ns (+$(python3 -c "print(round($guarded-$bare,2))") over bare, $(python3 -c "print(round($guarded-$onerule,2))") over the 1-rule filter)"

echo "== supervised open (openat of /etc/hostname), us per open, 5 runs each, best"
N=20000
bare=$(best $P loop-open /etc/hostname $N)
yard=$(best "$OUT/notify_continue" $P loop-open /etc/hostname $N)
gopen=$(best $G run --report /dev/null -p $OUT/files.json -- $P loop-open /etc/hostname $N)
python3 - "$bare" "$yard" "$gopen" <<'PY'
import sys
bare, yard, g = map(float, sys.argv[1:])
print(f"  bare {bare:.3f} us; minimal C supervisor (CONTINUE) {yard:.3f} us (+{yard-bare:.3f});"
      f" guard emulated open {g:.3f} us (+{g-bare:.3f}); ratio of added costs {(g-bare)/(yard-bare):.2f}x")
PY
rm -rf "$OUT"
