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
gcc -O2 -o "$OUT/notify_continue" Benchmarks/run/notify_continue.c -lseccomp -lpthread
gcc -O2 -o "$OUT/filter_floor" Benchmarks/run/filter_floor.c
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

echo "== exec: sh runs /bin/true 300 times; bare, files supervised, files and exec supervised (hyperfine median)"
cat > "$OUT/exec.json" <<'JSON'
{"version": 1, "defaults": {"files": {"read": ["/**"], "write": ["/tmp/**", "/dev/null"], "exec": ["/usr/bin/*", "/bin/*"]}}}
JSON
LOOP='i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done'
hyperfine -N --warmup 3 --runs 30 --export-json "$OUT/exec-runs.json" \
    "/bin/sh -c '$LOOP'" "$G run --report /dev/null -p $OUT/files.json -- /bin/sh -c '$LOOP'" \
    "$G run --report /dev/null -p $OUT/exec.json -- /bin/sh -c '$LOOP'" >/dev/null
python3 - "$OUT/exec-runs.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
names = ["bare", "guard, files (exec not listed)", "guard, files and exec (checked, confirmed at the exec stop)"]
for name, x in zip(names, r):
    print(f"  {name:62s} {x['median']*1e3:8.2f} ms  {(x['median']-r[0]['median'])*1e6/300:+7.1f} us per exec")
print(f"  exec supervision alone: {(r[2]['median']-r[1]['median'])*1e6/300:+.1f} us per exec")
PY

echo "== allowed syscall (getppid) in a tight loop, ns per call, 5 runs each, best"
best() { local b=1e9; for i in 1 2 3 4 5; do v=$("$@" | awk '{print $2}'); b=$(python3 -c "print(min($b,$v))"); done; echo $b; }
bare=$(best $P loop-getppid 5000000)
floor=$(best "$OUT/filter_floor" $P loop-getppid 5000000)
onerule=$(best "$OUT/notify_continue" $P loop-getppid 5000000)
guarded=$(best $G run --report /dev/null -- $P loop-getppid 5000000)
python3 - "$bare" "$floor" "$onerule" "$guarded" <<'PY'
import sys
bare, floor, one, g = map(float, sys.argv[1:])
print(f"  bare {bare:.1f} ns; 1-instruction RET_ALLOW filter {floor:.1f} (+{floor-bare:.1f});"
      f" 1-rule libseccomp filter {one:.1f} (+{one-bare:.1f}); guard default policy {g:.1f} (+{g-bare:.1f},"
      f" {g-floor:+.1f} over the 1-instruction floor)")
PY

echo "== supervised open (openat of /etc/hostname, $((20000)) per run), us per open; 7 rounds, all interleaved; median"
# Interleaved so that whatever the VM does meanwhile (vCPU wake-up costs vary from run to
# run here) falls on all four alike.
N=20000
for round in 1 2 3 4 5 6 7; do
    echo "bare $($P loop-open /etc/hostname $N | awk '{print $2}')"
    echo "plain $("$OUT/notify_continue" --plain $P loop-open /etc/hostname $N | awk '{print $2}')"
    echo "sync $("$OUT/notify_continue" $P loop-open /etc/hostname $N | awk '{print $2}')"
    echo "emu $("$OUT/notify_continue" --emulate $P loop-open /etc/hostname $N | awk '{print $2}')"
    echo "emu2 $("$OUT/notify_continue" --emulate --threads 2 $P loop-open /etc/hostname $N | awk '{print $2}')"
    echo "guard $($G run --report /dev/null -p $OUT/files.json -- $P loop-open /etc/hostname $N | awk '{print $2}')"
done > "$OUT/opens.txt"
python3 - "$OUT/opens.txt" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    k, v = line.split()
    runs.setdefault(k, []).append(float(v))
m = {k: statistics.median(v) for k, v in runs.items()}
add = {k: m[k] - m["bare"] for k in m}
names = {"bare": "bare", "plain": "minimal C supervisor, CONTINUE (issue 3's yardstick)",
         "sync": "the same with SYNC_WAKE_UP", "emu": "minimal C emulator: read, open, ADDFD+SEND",
         "emu2": "the same C emulator, two threads in RECV (guard's design)",
         "guard": "guard: emulated and checked open"}
for k in ["bare", "plain", "sync", "emu", "emu2", "guard"]:
    spread = f"(runs {min(runs[k]):.1f}-{max(runs[k]):.1f})"
    print(f"  {names[k]:55s} {m[k]:8.3f} us  +{add[k]:7.3f}  {spread}")
print(f"  guard / yardstick {add['guard']/add['plain']:.2f}x (budget 1.5x); guard / two-thread C emulator {add['guard']/add['emu2']:.2f}x;"
      f" guard / SYNC_WAKE_UP CONTINUE {add['guard']/add['sync']:.2f}x; one-thread C emulator / yardstick {add['emu']/add['plain']:.2f}x")
PY
rm -rf "$OUT"
