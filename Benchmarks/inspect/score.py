#!/usr/bin/env python3
"""Score result lines against labels.

Usage: score.py LABELS.jsonl RESULTS.jsonl [--split train|holdout|all] [--misses CLASS] [--fp]
RESULTS lines carry "verdict" ("block"/"clean") and optional "findings" with "class".
Recall counts a sample as caught when its event is blocked (any class); the per-class
table also shows how often the right class fired.
"""
import json
import sys
from collections import defaultdict


def load(labels_path, results_path):
    labels = [json.loads(l) for l in open(labels_path)]
    results = [json.loads(l) for l in open(results_path)]
    assert len(labels) == len(results), (len(labels), len(results))
    return labels, results


def table(labels, results, split="all", title=""):
    tot = defaultdict(int)
    hit = defaultdict(int)
    exact = defaultdict(int)
    src_tot = defaultdict(int)
    src_hit = defaultdict(int)
    for lab, res in zip(labels, results):
        if split != "all" and lab["split"] != split:
            continue
        c = lab["class"]
        blocked = res.get("verdict") == "block"
        tot[c] += 1
        hit[c] += blocked
        exact[c] += any(f.get("class") == c for f in res.get("findings", []))
        if c == "sqli":
            src_tot[lab["source"]] += 1
            src_hit[lab["source"]] += blocked
    classes = sorted(c for c in tot if c != "benign")
    print(f"== {title} ({split})")
    print(f"{'class':<10} {'n':>6} {'recall':>8} {'right-class':>12}")
    for c in classes:
        print(f"{c:<10} {tot[c]:>6} {100*hit[c]/tot[c]:>7.1f}% {100*exact[c]/tot[c]:>11.1f}%")
    attacks = sum(tot[c] for c in classes)
    caught = sum(hit[c] for c in classes)
    macro = sum(hit[c] / tot[c] for c in classes) / max(1, len(classes))
    print(f"{'all':<10} {attacks:>6} {100*caught/max(1,attacks):>7.1f}%   macro {100*macro:.1f}%")
    for s in sorted(src_tot):
        print(f"  sqli/{s:<14} {src_tot[s]:>5} {100*src_hit[s]/src_tot[s]:>7.1f}%")
    if tot["benign"]:
        print(f"benign FP  {tot['benign']:>6} {100*hit['benign']/tot['benign']:>7.2f}%")
    return {c: hit[c] / tot[c] for c in tot}


def main():
    args = sys.argv[1:]
    labels, results = load(args[0], args[1])
    split = "all"
    if "--split" in args:
        split = args[args.index("--split") + 1]
    table(labels, results, split, title=args[1])
    if "--misses" in args:
        c = args[args.index("--misses") + 1]
        corpus = {}
        for l in open(args[args.index("--corpus") + 1] if "--corpus" in args else "/work/shared/corpus/corpus.jsonl"):
            r = json.loads(l)
            corpus[r["id"]] = r
        for lab, res in zip(labels, results):
            if lab["class"] == c and lab["split"] == "train" and res.get("verdict") != "block":
                r = corpus[lab["id"]]
                print(repr(r["payload"][:160]), r["location"], r.get("part", ""), r.get("content_type", ""))
    if "--fp" in args:
        corpus = {}
        for l in open("/work/shared/corpus/corpus.jsonl"):
            r = json.loads(l)
            corpus[r["id"]] = r
        for lab, res in zip(labels, results):
            if lab["class"] == "benign" and res.get("verdict") == "block":
                r = corpus[lab["id"]]
                print(lab["split"], [f["class"] for f in res["findings"]], repr(r["payload"][:160]), r["location"],
                      r.get("header", ""))


if __name__ == "__main__":
    main()
