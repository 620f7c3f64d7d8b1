#!/usr/bin/env python3
"""PEG scaling table from a GenoBench store (suites/peg-scaling.toml).

For every weight kind (diagonal W: the default LD-pruned path; dense W: --mr-ld) and backend:
the median wall time of each problem, its cost relative to the baseline k = 100, t = 50,
P = 1000 (the seed's table, mrpeg docs/performance.rst), and the fitted exponent b of
wall ~ a * x^b for each parameter x in (k, t, P), by least squares on log-log over the
problems that vary x with the other two at their baseline. k is the number of instruments
left after filtering (the stored estimate `instruments`), not the simulated count.

    python3 scripts/peg_scaling.py reports/peg-scaling.sqlite [--invocation N]

Standard library only (sqlite3, json, math, statistics).
"""
import json
import math
import sqlite3
import statistics
import sys

BASE = {"instruments": 100, "focal": 50, "permutations": 1000}
NAMES = {"instruments": "k", "focal": "t", "permutations": "P"}


def load(db, invocation=None):
    con = sqlite3.connect(db)
    if invocation is None:
        invocation = con.execute(
            "SELECT max(i.id) FROM invocations i WHERE i.suite_name = 'peg-scaling'").fetchone()[0]
    rows = con.execute(
        """SELECT r.id, r.backend, r.wall_s, p.params_json,
                  (SELECT value FROM estimates e WHERE e.run_id = r.id AND e.name = 'instruments')
           FROM runs r JOIN problems p ON p.id = r.problem_id
           WHERE r.invocation_id = ? AND p.family = 'peg' AND r.status != 'failed'""", (invocation,)).fetchall()
    runs = {}
    for _, backend, wall, params_json, k in rows:
        p = json.loads(params_json)
        key = ("dense" if p["mr-ld"] else "diagonal", backend, p["instruments"], p["focal"], p["permutations"])
        entry = runs.setdefault(key, {"walls": [], "k": k})
        entry["walls"].append(wall)
    return invocation, {key: (statistics.median(v["walls"]), v["k"]) for key, v in runs.items()}


def slope(points):
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx > 0 else float("nan")


def main(argv):
    db = argv[1] if len(argv) > 1 else "reports/peg-scaling.sqlite"
    invocation = int(argv[argv.index("--invocation") + 1]) if "--invocation" in argv else None
    invocation, med = load(db, invocation)
    print(f"store {db}, invocation {invocation}: median wall of 3 repeats per run\n")
    for kind in ("diagonal", "dense"):
        backends = sorted({k[1] for k in med if k[0] == kind})
        print(f"## {kind} W ({'default path: LD-pruned, V = I' if kind == 'diagonal' else '--mr-ld: V = R + 0.001 I, one dense block'})\n")
        print("| K sim | k | t | P | " + " | ".join(f"{b} s (rel)" for b in backends) + " |")
        print("|" + " --- |" * (4 + len(backends)))
        problems = sorted({k[2:] for k in med if k[0] == kind}, key=lambda p: (p != tuple(BASE.values()), p))
        for p in problems:
            cells = []
            for b in backends:
                base = med.get((kind, b) + tuple(BASE.values()))
                if (kind, b) + p in med:
                    wall, _ = med[(kind, b) + p]
                    cells.append(f"{wall:.4f} ({wall / base[0]:.1f}x)" if base else f"{wall:.4f}")
                else:
                    cells.append("-")
            k = next((med[(kind, b) + p][1] for b in backends if (kind, b) + p in med), None)
            print(f"| {p[0]} | {int(k) if k else '-'} | {p[1]} | {p[2]} | " + " | ".join(cells) + " |")
        print("\nfitted exponent b of wall ~ x^b (others at baseline):\n")
        print("| backend | " + " | ".join(NAMES[n] for n in BASE) + " |")
        print("|" + " --- |" * (1 + len(BASE)))
        for b in backends:
            exps = []
            for i, name in enumerate(BASE):
                pts = []
                for key, (wall, k) in med.items():
                    if key[0] != kind or key[1] != b:
                        continue
                    p = dict(zip(BASE, key[2:]))
                    if all(p[n] == BASE[n] for n in BASE if n != name):
                        x = k if name == "instruments" else p[name]
                        pts.append((x, wall))
                exps.append(f"{slope(pts):.2f} ({len(pts)} pts)" if len(pts) >= 2 else "-")
            print(f"| {b} | " + " | ".join(exps) + " |")
        target = tuple([500, 50, 1000])
        prec = [("f64", "loop-f64", "batched-f64"), ("f32", "loop-f32", "batched-f32")]
        for label, loop, batched in prec:
            if (kind, loop) + target in med and (kind, batched) + target in med:
                l, bt = med[(kind, loop) + target][0], med[(kind, batched) + target][0]
                print(f"\nk 500, t 50, P 1000 ({label}): loop {l:.4f} s, batched {bt:.4f} s: batched {l / bt:.1f}x faster")
        print()


if __name__ == "__main__":
    main(sys.argv)
