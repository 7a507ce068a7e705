#!/usr/bin/env bash
# Recording cost of `guard profile` against `strace -f -o /dev/null` and the bare workload,
# side by side in one run, on the same workloads. Prints the median wall time of RUNS runs
# (after one warm-up) and each tool's overhead over bare.
#
#   Benchmarks/profile/run.sh [RUNS]        (default 15; build first: swift build -c release)
#
# GUARD=path/to/guard overrides the binary (default: .build/release/guard, else debug).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-15}
GUARD=${GUARD:-$( [ -x .build/release/guard ] && echo .build/release/guard || echo .build/debug/guard )}
command -v strace >/dev/null || { echo "strace not installed (apt-get install strace)" >&2; exit 2; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

cat >"$OUT/work.py" <<'PY'
import json, sqlite3, hashlib
db = sqlite3.connect(":memory:")
db.execute("create table t (doc text)")
for i in range(2000):
    db.execute("insert into t values (?)", (json.dumps({"i": i}),))
print(hashlib.sha256("".join(r[0] for r in db.execute("select doc from t")).encode()).hexdigest())
PY

PROBE=${PROBE:-$(dirname "$GUARD")/GuardProbe}
declare -a NAMES=("python3 json/sqlite3/hashlib" "sh: ls | sort | head | wc" "find /usr/lib/python3.11 -name '*.py'"
  "C probe: 20000 x getppid" "C probe: 5000 x open /etc/hostname")
declare -a CMDS=(
  "/usr/bin/python3 $OUT/work.py"
  "/bin/sh -c 'ls /usr/bin | sort | head -5 | wc -l'"
  "/usr/bin/find /usr/lib/python3.11 -name '*.py'"
  "$PROBE loop-getppid 20000"
  "$PROBE loop-open /etc/hostname 5000"
)

# "median/min" wall time in ms of RUNS runs of the command line $1 (stdout and stderr
# discarded): the median is the figure; the minimum shows the cost without scheduling noise.
median_ms() {
  local samples=() i start end
  eval "$1" >/dev/null 2>&1 || true
  for ((i = 0; i < RUNS; i++)); do
    start=$(date +%s%N)
    eval "$1" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    samples+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${samples[@]}" | sort -n |
    awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f/%.1f", m/1000, a[1]/1000}'
}
ratio() { awk -v a="${1%%/*}" -v b="${2%%/*}" 'BEGIN {printf "%.2fx", a/b}'; }

echo "guard profile vs strace -f -o /dev/null vs bare: wall ms, median/min of $RUNS runs"
echo "($(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg), $(uname -r), $GUARD)"
printf '%-38s %13s %13s %15s %9s %9s %9s\n' workload bare "strace -f" "guard profile" "strace/" "guard/" "syscalls"
for i in "${!NAMES[@]}"; do
  cmd=${CMDS[$i]}
  bare=$(median_ms "$cmd")
  st=$(median_ms "strace -f -o /dev/null $cmd")
  gp=$(median_ms "$GUARD profile --report /dev/null -o $OUT/p.json -- $cmd")
  # Syscalls the workload makes (strace's count; the total line of -c).
  n=$(eval "strace -f -c -o $OUT/count $cmd" >/dev/null 2>&1; awk '/^100.00/ {print $4}' "$OUT/count")
  printf '%-38s %13s %13s %15s %9s %9s %9s\n' "${NAMES[$i]}" "$bare" "$st" "$gp" "$(ratio "$st" "$bare")" \
    "$(ratio "$gp" "$bare")" "$n"
done
