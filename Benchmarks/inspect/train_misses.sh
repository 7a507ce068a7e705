#!/bin/sh
# Development helper: score a guard build on the corpus and list TRAIN-split misses of one class.
#   Benchmarks/inspect/train_misses.sh cmdi [GUARD_BINARY]     (default .build/debug/guard)
#   Benchmarks/inspect/train_misses.sh --fp                      (train-split false positives only)
# Prints the pooled and held-out aggregate tables; held-out misses are never listed.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${GUARD_CORPUS:-$root/../shared/corpus/corpus.jsonl}
guard=${2:-$root/.build/debug/guard}
dir=${TMPDIR:-/tmp}/guard-train-misses
mkdir -p "$dir"
[ -s "$dir/events.jsonl" ] || python3 "$root/Benchmarks/inspect/make_events.py" "$corpus" "$dir/events.jsonl" "$dir/labels.jsonl"
"$guard" inspect --jsonl "$dir/events.jsonl" > "$dir/out.jsonl" || true  # exits non-zero when something is blocked
python3 "$root/Benchmarks/inspect/score.py" "$dir/labels.jsonl" "$dir/out.jsonl" --split holdout | grep -v sqli/
if [ "$1" = "--fp" ]; then
    python3 "$root/Benchmarks/inspect/score.py" "$dir/labels.jsonl" "$dir/out.jsonl" --fp | grep -v sqli/ | grep -v "^holdout "
else
    python3 "$root/Benchmarks/inspect/score.py" "$dir/labels.jsonl" "$dir/out.jsonl" --misses "$1" --corpus "$corpus" | grep -v sqli/
fi
