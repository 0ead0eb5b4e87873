"""Markdown tables of the last run, for docs/performance.md.

    .venv/bin/python bench/report.py [bench/results/latest.json]

Reads latest.json (and the queries.json next to it) and prints the machine, the
results table and the query-count table in the form docs/performance.md uses. A run
of the whole catalogue (BENCH_PAGES=all) prints one table instead: every page with
its ratio to /bench/bare/, p50, p99, queries, CPU per request and its result against
the target of its kind, then the pages the bench data lacks and those that failed.
"""

import json
import sys
from pathlib import Path


def fmt(value, pattern: str) -> str:
    return "–" if value is None else format(value, pattern)


# kind -> (least ratio, p99 under): bench/load.py's TARGETS, for runs that lack them
TARGETS = {
    "public": (0.25, 25.0),
    "member": (0.25, 25.0),
    "info": (0.10, 50.0),
    "probe": (0.5, 25.0),
}


def targets_of(run: dict) -> dict:
    if "targets" in run:
        return {
            kind: (t["min_ratio"], t["max_p99_ms"])
            for kind, t in run["targets"].items()
        }
    return TARGETS


def label_of(row: dict) -> str:
    label = row.get("key") or row["path"]
    if row.get("when"):
        label += f" ({row['when']})"
    if row["kind"] == "probe":
        label += " (probe)"
    return label


def catalogue_table(run: dict) -> None:
    """Every page of the run, one row each, against the target of its kind."""
    targets = targets_of(run)
    print(
        "| page | path | as | kind | ratio | p50 ms | p99 ms | queries "
        "| CPU ms/req | target | result |"
    )
    print("|---|---|---|---|--:|--:|--:|--:|--:|---|---|")
    for row in run["pages"]:
        target = targets.get(row["kind"])
        wanted = f"≥ {target[0]:g}, p99 < {target[1]:g} ms" if target else "–"
        path = "–" if row.get("missing") else f"`{row['path']}`"
        print(
            f"| {label_of(row)} | {path} | {row['role']} | {row['kind']} "
            f"| {fmt(row.get('ratio'), '.2f')} | {fmt(row.get('p50_ms'), '.1f')} "
            f"| {fmt(row.get('p99_ms'), '.1f')} | {fmt(row.get('queries'), 'd')} "
            f"| {fmt(row.get('serving_cpu_ms'), '.2f')} | {wanted} "
            f"| **{row['result']}** |"
        )
    counts: dict[str, dict[str, int]] = {}
    for row in run["pages"]:
        by_result = counts.setdefault(row["kind"], {})
        by_result[row["result"]] = by_result.get(row["result"], 0) + 1
    print()
    for kind, by_result in counts.items():
        print(
            f"- {kind}: "
            + ", ".join(f"{n} {result}" for result, n in sorted(by_result.items()))
        )
    left = [r for r in run["pages"] if r["result"] in {"missing", "ERROR"}]
    if left:
        print()
        for row in left:
            why = row.get("missing") or row.get("error")
            print(f"- {row['key']} as {row['role']}: {row['result']}: {why}")


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
        f"--latency after a {w['warmup_s']} s warm-up, per page"
        + (
            f" ({w['duration_info_s']} s after {w['warmup_info_s']} s for staff pages "
            "and files)"
            if w.get("duration_info_s", w["duration_s"]) != w["duration_s"]
            else ""
        )
        + "\n"
        f"- data: scale {m.get('scale')}: {scale.get('members')} members "
        f"({scale.get('members_in_directory')} in the directory), "
        f"{scale.get('enterprises')} enterprises"
        + (f", {scale['petitions']:,} petitions" if scale.get("petitions") else "")
        + "\n"
        f"- baseline: {run['baseline_rps']:,.0f} req/s, "
        f"{fmt(run.get('baseline_serving_cpu_ms'), '.2f')} ms CPU per request\n"
    )
    if run.get("baseline_disturbed"):
        print(
            "**Both baseline runs were disturbed by other work on the machine: the "
            "ratios are too high; read the CPU ratio column.**\n"
        )
    if run.get("which") == "all":
        catalogue_table(run)
        return
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
