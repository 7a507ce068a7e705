#!/usr/bin/env python3
"""Side-by-side benchmark: `guard inspect --jsonl` against ModSecurity 3 + OWASP CRS 3.3.4,
on the shared corpus turned into API Gateway HTTP API (v2) events. One core each
(taskset), wall-clock including start-up, best of N runs. Prints recall per class,
macro recall, benign false positives (pooled and held-out) and throughput.

Usage: bench.py --guard PATH --corpus CORPUS.jsonl [--runs 3] [--pl 1] [--pl 2] [--no-modsec]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_events  # noqa: E402

CLASSES = "sqli nosqli cmdi traversal ssrf xss ssti jndi xxe proto deser ldap crlf".split()


def best_time(cmd, runs, stdout_path, env=None):
    best = None
    for _ in range(runs):
        with open(stdout_path, "wb") as out:
            t0 = time.perf_counter()
            p = subprocess.run(["taskset", "-c", "0"] + cmd, stdout=out, stderr=subprocess.PIPE, env=env)
            dt = time.perf_counter() - t0
        if p.returncode not in (0, 1, 2):
            sys.exit(f"{cmd[0]} failed: {p.stderr.decode()[-500:]}")
        best = dt if best is None else min(best, dt)
    return best, p.stderr.decode()


def score(labels, verdicts):
    tot, hit = {}, {}
    hold_tot, hold_hit = {}, {}
    for lab, v in zip(labels, verdicts):
        c = lab["class"]
        tot[c] = tot.get(c, 0) + 1
        hit[c] = hit.get(c, 0) + v
        if lab["split"] == "holdout":
            hold_tot[c] = hold_tot.get(c, 0) + 1
            hold_hit[c] = hold_hit.get(c, 0) + v
    def summary(t, h):
        attacks = [c for c in CLASSES if t.get(c)]
        n = sum(t[c] for c in attacks)
        caught = sum(h[c] for c in attacks)
        macro = sum(h[c] / t[c] for c in attacks) / len(attacks)
        fp = h.get("benign", 0) / max(1, t.get("benign", 0))
        return {"per": {c: h[c] / t[c] for c in attacks}, "all": caught / n, "macro": macro, "fp": fp}
    return summary(tot, hit), summary(hold_tot, hold_hit), tot


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--guard", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pl", type=int, action="append")
    ap.add_argument("--no-modsec", action="store_true")
    args = ap.parse_args()
    pls = args.pl or [1]

    tmp = tempfile.mkdtemp(prefix="guard-bench-")
    events, labels_path, requests = (os.path.join(tmp, f) for f in ("events.jsonl", "labels.jsonl", "requests.txt"))
    sys.argv = ["make_events.py", args.corpus, events, labels_path, requests]
    make_events.main()
    labels = [json.loads(l) for l in open(labels_path)]
    n = len(labels)
    size = os.path.getsize(events)

    rows = []
    out = os.path.join(tmp, "guard.out")
    t, _ = best_time([args.guard, "inspect", "--jsonl", events], args.runs, out)
    verdicts = [json.loads(l)["verdict"] == "block" for l in open(out)]
    assert len(verdicts) == n, (len(verdicts), n)
    rows.append(("guard inspect --jsonl", t, score(labels, verdicts)))
    env = dict(os.environ, GUARD_INSPECT_CACHE="0")
    t_nc, _ = best_time([args.guard, "inspect", "--jsonl", events], args.runs, out, env=env)
    rows.append(("guard (header cache off)", t_nc, rows[0][2]))

    if not args.no_modsec:
        harness = os.path.join(tmp, "modsec_bench")
        subprocess.run(["cc", "-O2", "-o", harness, os.path.join(HERE, "modsec_bench.c"), "-lmodsecurity"], check=True)
        for pl in pls:
            mout = os.path.join(tmp, f"modsec{pl}.out")
            t, err = best_time([harness, requests, str(pl)], 1, mout)
            mv = [l.strip() == "block" for l in open(mout)]
            assert len(mv) == n
            rows.append((f"ModSecurity 3.0.9 + CRS 3.3.4 PL{pl}", t, score(labels, mv)))

    print(f"corpus: {n} samples as API Gateway v2 events ({size / 1e6:.1f} MB), one core, start-up included\n")
    hdr = f"{'':<36}{'events/s':>10}{'MB/s':>8}{'attacks':>9}{'macro':>8}{'benign FP':>10}{'held-out all/macro/FP':>26}"
    print(hdr)
    for name, t, (pooled, held, _) in rows:
        print(f"{name:<36}{n / t:>10.0f}{size / t / 1e6:>8.1f}{100 * pooled['all']:>8.1f}%{100 * pooled['macro']:>7.1f}%"
              f"{100 * pooled['fp']:>9.1f}%   {100 * held['all']:>5.1f}% {100 * held['macro']:>5.1f}% {100 * held['fp']:>5.1f}%")
    print()
    tot = rows[0][2][2]
    names = [r[0].split(" ")[0] if "cache" not in r[0] else None for r in rows]
    cols = [(r[0], r[2][0]["per"]) for r in rows if "cache off" not in r[0]]
    print(f"{'recall':<11}{'n':>6}" + "".join(f"{c[0][:24]:>26}" for c in cols))
    for c in CLASSES:
        print(f"{c:<11}{tot.get(c, 0):>6}" + "".join(f"{100 * per.get(c, 0):>25.1f}%" for _, per in cols))
    print(f"\nspeed-up vs ModSecurity PL{pls[0]}: {rows[2][1] / rows[0][1]:.0f}x" if len(rows) > 2 else "")


if __name__ == "__main__":
    main()
