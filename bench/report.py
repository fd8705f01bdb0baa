#!/usr/bin/env python3
"""Prints bench/run.sh's results as one table with the targets; exit code 1 if a ledger check failed.

usage: report.py RESULTS --runs N --duration 10s --connections 64 --threads 2 --wiremock VERSION --command CMD
RESULTS holds one line per measurement, key=value pairs: "run=1 case=pay requests=... codes=0:123,..."
(from bench/load.lua's BENCH line) and "run=1 meta=start|rss|ledger ...".
"""

import argparse
import datetime
import os
import statistics
import sys

P99_MS = 25.0
# case: (label, the errcodes that are correct for it, the target as a fraction of the ceiling)
CASES = {
    "health": ("GET /admin/health (the ceiling)", {"none"}, None),
    "getbalance": ("getbalance", {"0"}, 0.50),
    "game-getbalance": ("2.0 getbalance (/wxa/game/getbalance)", {"0"}, 0.50),
    "pay": ("pay, fresh bill_nos, Process durability", {"0"}, 0.15),
    "game-pay": ("2.0 pay (/wxa/game/pay), fresh bill_nos, Process", {"0"}, 0.15),
    "pay-full": ("pay, fresh bill_nos, Full durability", {"0"}, 0.05),
    "replay": ("pay replays of paid bill_nos (90012 is correct)", {"90012"}, 0.50),
    "mix": ("mix: 80% getbalance, 15% pay, 5% cancelpay", {"0"}, None),
    "stub": ("WireMock.Net stub, same fresh-pay load", {"0"}, None),
}
FRESH = {"pay", "game-pay", "pay-full", "mix"}  # cases whose request files must not wrap around
GAME_PAY_MIN = 0.90  # 2.0 pay within 10 % of 1.0 pay in the same run (faster is fine)
COUNTERS = {"pay_ok", "game_pay_ok"}  # load.lua's tallies of successful pays, not errcodes


def parse(path):
    rows = []
    with open(path) as f:
        for line in f:
            row = {}
            for part in line.split():
                k, _, v = part.partition("=")
                row.setdefault(k, v)  # the ledger line's free text comes after the pairs
            row["_line"] = line.rstrip("\n")
            rows.append(row)
    return rows


def codes(row):
    out = {}
    for item in filter(None, row.get("codes", "").split(",")):
        code, _, n = item.rpartition(":")
        out[code] = int(n)
    return out


def fmt_int(x):
    return f"{x:,.0f}"


def main():
    a = argparse.ArgumentParser()
    a.add_argument("results")
    a.add_argument("--runs", type=int)
    a.add_argument("--duration")
    a.add_argument("--connections")
    a.add_argument("--threads")
    a.add_argument("--wiremock")
    a.add_argument("--command")
    args = a.parse_args()
    rows = parse(args.results)

    by_case = {}
    for r in rows:
        if "case" in r:
            r["rps"] = int(r["requests"]) / (int(r["duration_us"]) / 1e6)
            by_case.setdefault(r["case"], {})[r["run"]] = r
    ceiling = {run: r["rps"] for run, r in by_case.get("health", {}).items()}

    print()
    before = next((r["before"].replace(",", " ") for r in rows if r.get("meta") == "loadavg"), "?")
    print(f"MidasEmulator benchmark, {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, nproc {os.cpu_count()}, "
          f"load average before {before}, after {' '.join(open('/proc/loadavg').read().split()[:3])}")
    print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration} over 127.0.0.1, {args.runs} run(s), medians of the runs; "
          f"command: {args.command}")
    print()
    header = ["case", "req/s", "req/s per run", "p50 ms", "p99 ms", "errors", "transport", "× ceiling", "target", "result"]
    table = [header, ["---"] * len(header)]
    notes = []
    for case, (label, expected, target) in CASES.items():
        runs = by_case.get(case)
        if not runs:
            continue
        ordered = [runs[k] for k in sorted(runs, key=int)]
        rps = statistics.median(r["rps"] for r in ordered)
        p50 = statistics.median(int(r["p50_us"]) for r in ordered) / 1000
        p99 = statistics.median(int(r["p99_us"]) for r in ordered) / 1000
        errors = {}
        for r in ordered:
            for code, n in codes(r).items():
                if code not in COUNTERS and code not in expected:
                    errors[code] = errors.get(code, 0) + n
        n_errors = sum(errors.values())
        transport = sum(int(r[k]) for r in ordered for k in ("connect", "read", "write", "timeout", "status"))
        wraps = sum(int(r["wraps"]) for r in ordered)
        ratios = [r["rps"] / ceiling[run] for run, r in runs.items() if run in ceiling]
        ratio = statistics.median(ratios) if ratios else None
        if n_errors:
            notes.append(f"{case}: unexpected errcodes " + ", ".join(f"{c} ×{n}" for c, n in sorted(errors.items())))
        if wraps and case in FRESH:
            notes.append(f"{case}: the request file ran out {wraps} times, so some bill_nos were sent twice "
                         f"(raise rate_cap in run.sh)")
        if case == "stub":
            target_text, result = "reference", "—"
        else:
            misses = []
            if target is not None and (ratio is None or ratio < target):
                misses.append("ratio")
            if p99 > P99_MS:
                misses.append("p99")
            if n_errors or transport:
                misses.append("errors")
            target_text = (f"≥ {target:.2f}×, " if target is not None else "") + f"p99 ≤ {P99_MS:g} ms, 0 errors"
            result = "PASS" if not misses else "MISS (" + ", ".join(misses) + ")"
        per_run = " / ".join(f"{r['rps'] / 1000:.1f}k" for r in ordered)
        table.append([label, fmt_int(rps), per_run, f"{p50:.2f}", f"{p99:.2f}", str(n_errors), str(transport),
                      "—" if ratio is None else f"{ratio:.3f}", target_text, result])
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        if row[0] == "---":
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        else:
            print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
    print()

    def meta(kind, server=None):
        return [r for r in rows if r.get("meta") == kind and (server is None or r.get("server") == server)]

    def verdict(ok):
        return "PASS" if ok else "MISS"

    starts = {s: [int(r["ms"]) for r in meta("start", s)] for s in ("Process", "Full")}
    if starts["Process"]:
        med = statistics.median(starts["Process"])
        print(f"start to healthy: {med:.0f} ms median of the Process starts ({', '.join(map(str, starts['Process']))} ms; "
              f"Full starts: {', '.join(map(str, starts['Full'])) or '—'} ms), each on a new database with the 300-user seed "
              f"— target ≤ 1000 ms: {verdict(med <= 1000)}")
    rss = {s: [int(r["kb"]) / 1024 for r in meta("rss", s)] for s in ("Process", "Full")}
    rss_load = {s: [int(r["kb"]) / 1024 for r in meta("rss_load", s)] for s in ("Process", "Full")}
    if rss["Process"]:
        # VmHWM is a high-water mark: read when the last case ends, it is the peak over start, set-up and load.
        peak = max(rss_load["Process"] + rss_load["Full"])
        print(f"peak RSS (VmHWM) over start, set-up and all load cases: {max(rss_load['Process'] or [0]):.0f} MB Process server, "
              f"{max(rss_load['Full'] or [0]):.0f} MB Full server (max of the runs) — target ≤ 200 MB: {verdict(peak <= 200)}; "
              f"over the whole life, incl. the ledger check's export of every order: {max(rss['Process']):.0f} MB and "
              f"{max(rss['Full'] or [0]):.0f} MB")
    pay, stub = by_case.get("pay", {}), by_case.get("stub", {})
    ratios = [pay[run]["rps"] / stub[run]["rps"] for run in pay if run in stub]
    if ratios:
        ratio = statistics.median(ratios)
        print(f"pay (real, signed, persisted) / WireMock.Net {args.wiremock} fixed stub: {ratio:.2f} "
              f"— target ≥ 1.0: {verdict(ratio >= 1.0)}")
    game_pay = by_case.get("game-pay", {})
    ratios = [game_pay[run]["rps"] / pay[run]["rps"] for run in game_pay if run in pay]
    if ratios:
        ratio = statistics.median(ratios)
        print(f"2.0 pay / 1.0 pay (same run, back to back): {ratio:.2f} ({', '.join(f'{r:.2f}' for r in ratios)}) "
              f"— target: 2.0 pay within 10 % of 1.0 pay (same run), ≥ {GAME_PAY_MIN:.2f}: {verdict(ratio >= GAME_PAY_MIN)}")
    ledger_ok = True
    for r in meta("ledger"):
        ledger_ok &= r["ok"] == "1"
        text = r["_line"].split(" ", 4)[-1]
        print(f"{r['server']}: {text}")
    for n in notes:
        print("note: " + n)
    print("errors: replies whose errcode is not the correct one for the case; transport: wrk's connect, read, "
          "write and timeout errors plus non-2xx replies. Replays run with the default BillNoRepeat=Reject.")
    sys.exit(0 if ledger_ok else 1)


if __name__ == "__main__":
    main()
