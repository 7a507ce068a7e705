#!/usr/bin/env python3
"""Added latency of the Runtime API proxy, side by side in one run.

    Benchmarks/runtime-api/bench.py [--guard PATH] [--invocations N]

Starts bench_server.py (the Runtime API), then runs bench_client.py behind the proxy; the
client alternates blocks of next->response round trips between the server directly and the
proxy, so both are measured under the same load. Prints p50/p90/p99 of each and the added
latency. Without --guard the proxy is the in-process runner in the test suite
(`swift test -c release --filter runCommandBehindProxy`, built first); with --guard it is
`PATH bootstrap -- python3 bench_client.py`.
"""
import argparse, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] / 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--guard", help="path to the guard binary (uses `guard bootstrap`)")
    ap.add_argument("--policy", help="policy for guard bootstrap (-p)")
    ap.add_argument("--invocations", type=int, default=2000)
    ap.add_argument("--debug", action="store_true", help="in-process runner: debug build instead of release")
    args = ap.parse_args()

    server = subprocess.Popen([sys.executable, os.path.join(HERE, "bench_server.py")], stdout=subprocess.PIPE)
    try:
        port = int(server.stdout.readline().split()[1])
        api = f"127.0.0.1:{port}"
        out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
        env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=api, BENCH_DIRECT_API=api, BENCH_OUT=out,
                   BENCH_INVOCATIONS=str(args.invocations), AWS_LAMBDA_FUNCTION_NAME="bench")
        client = f"{sys.executable} {os.path.join(HERE, 'bench_client.py')}"
        if args.guard:
            cmd = [args.guard, "bootstrap"] + (["-p", args.policy] if args.policy else []) + ["--"] + client.split()
            proxy_name = "guard bootstrap"
        else:
            config = "debug" if args.debug else "release"
            # -enable-testing: the test target also holds unit tests that use @testable import.
            subprocess.run(["swift", "build", "-c", config, "--build-tests", "-Xswiftc", "-enable-testing"], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            env["GUARD_RTAPI_RUN"] = client
            cmd = ["swift", "test", "-c", config, "--skip-build", "--filter", "runCommandBehindProxy"]
            proxy_name = f"RuntimeAPIProxy (in-process test runner, {config} build)"
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            samples = json.load(f)
        os.unlink(out)
    finally:
        server.kill()

    d, p = samples["direct"], samples["proxy"]
    print(f"Runtime API round trip (next + response), {len(p)} invocations each, interleaved; proxy: {proxy_name}")
    print(f"{'':24}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}")
    for name, v in (("direct", d), ("through proxy", p)):
        print(f"{name:24}{pct(v, 50):>10.3f}{pct(v, 90):>10.3f}{pct(v, 99):>10.3f}")
    added = [pct(p, q) - pct(d, q) for q in (50, 90, 99)]
    print(f"{'added by proxy':24}{added[0]:>10.3f}{added[1]:>10.3f}{added[2]:>10.3f}")
    over = [sum(1 for x in v if x > 1e6) for v in (d, p)]
    print(f"round trips over 1 ms: direct {over[0]}, through proxy {over[1]}")
    if os.environ.get("BENCH_SAMPLES"):
        with open(os.environ["BENCH_SAMPLES"], "w") as f:
            json.dump(samples, f)
    ok = added[0] < 0.3 and added[2] < 1.0
    print("budget (p50 < 0.3 ms, p99 < 1 ms added):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
