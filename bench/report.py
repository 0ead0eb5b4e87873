"""Markdown tables of the last run, for docs/performance.md.

    .venv/bin/python bench/report.py [bench/results/latest.json]

Reads latest.json (and the queries.json next to it) and prints the machine, the
results table and the query-count table in the form docs/performance.md uses.
"""

import json
import sys
from pathlib import Path


def fmt(value, pattern: str) -> str:
    return "–" if value is None else format(value, pattern)


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results/latest.json")
    run = json.loads(path.read_text(encoding="utf-8"))
    queries_path = path.with_name("queries.json")
    queries = (
        json.loads(queries_path.read_text(encoding="utf-8"))
        if queries_path.exists()
        else None
    )
    m, w, scale = run["machine"], run["wrk"], run.get("scale", {})
    print(f"Run of {run['date']} on commit `{m.get('git_commit', '?')}`", end="")
    print(" (with uncommitted changes)" if m.get("git_dirty") else "", end=".\n\n")
    print(
        f"- machine: {m['cpus']} vCPUs ({m['cpu_model']}), {m['os']}\n"
        f"- Python {m.get('python')}, Django {m.get('django')}, gunicorn "
        f"{m.get('gunicorn')} ({m.get('gunicorn_workers')} {m.get('gunicorn_worker_class')} "
        f"workers), PostgreSQL {m.get('postgresql')}, Redis {m.get('redis')}, "
        f"{m.get('wrk', 'wrk').split(' Copyright')[0]}\n"
        f"- load: wrk -t{w['threads']} -c{w['connections']} -d{w['duration_s']}s "
        f"--latency after a {w['warmup_s']} s warm-up, per page\n"
        f"- data: scale {m.get('scale')}: {scale.get('members')} members "
        f"({scale.get('members_in_directory')} in the directory), "
        f"{scale.get('enterprises')} enterprises\n"
        f"- baseline: {run['baseline_rps']:,.0f} req/s, "
        f"{fmt(run.get('baseline_serving_cpu_ms'), '.2f')} ms CPU per request\n"
    )
    if run.get("baseline_disturbed"):
        print(
            "**Both baseline runs were disturbed by other work on the machine: the "
            "ratios are too high; read the CPU ratio column.**\n"
        )
    print(
        "| page | as | req/s | ratio | p50 ms | p90 ms | p99 ms | queries "
        "| CPU ms/req | CPU ratio | 1 req ms | other | result |"
    )
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for row in run["pages"]:
        label = row["path"] + (f" ({row['when']})" if row.get("when") else "")
        if row["kind"] == "probe":
            label += " (probe)"
        print(
            f"| `{label}` | {row['role']} | {fmt(row.get('rps'), ',.0f')} "
            f"| {fmt(row.get('ratio'), '.2f')} | {fmt(row.get('p50_ms'), '.1f')} "
            f"| {fmt(row.get('p90_ms'), '.1f')} | {fmt(row.get('p99_ms'), '.1f')} "
            f"| {fmt(row.get('queries'), 'd')} | {fmt(row.get('serving_cpu_ms'), '.2f')} "
            f"| {fmt(row.get('cpu_ratio'), '.2f')} "
            f"| {fmt(row.get('serial_wall_ms'), '.2f')} "
            f"| {fmt(row.get('cpu', {}).get('other'), '.2f')} | **{row['result']}** |"
        )
    if queries:
        print()
        print("| page | as | status | queries | bytes | 1 req ms | of which CPU ms |")
        print("|---|---|--:|--:|--:|--:|--:|")
        for row in queries["pages"]:
            print(
                f"| `{row['path']}` | {row['role']} | {row['status']} "
                f"| {row['queries']} | {row['bytes']:,} "
                f"| {fmt(row.get('serial_wall_ms'), '.2f')} "
                f"| {fmt(row.get('serial_cpu_ms'), '.2f')} |"
            )


if __name__ == "__main__":
    main()
