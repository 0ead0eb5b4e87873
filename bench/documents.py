"""The monthly summary on paper (issue 21): its .docx and its PDF built at 50,000 petitions.

    .venv/bin/python bench/documents.py [--repeat 5] [--departments 40]
                                        [--escalations 100] [--out FILE]

No database: the document is made from the stored report (`ReviewRun.report`) and three
lists read beside it (the run before, the escalations of the period, the month's
topic), and what it costs grows with the rows printed, not with the petitions behind
them. At 50,000 petitions over two years (bench/petitions.py) a month holds some 2,100
petitions; its stored report holds one row per department, category and channel
whatever that number, and the escalations printed stop at `LIST_ROWS` (100, as the page lists). So this
builds a report of that shape (`--departments` rows with every rate and count,
twenty categories, every channel, a topic with five tasks, the month before stored) and
`--escalations` escalated petitions, the most a document prints, with long names and
titles, then times, `--repeat` times each: the context (petitions.documents.context_of),
the PDF (the Django template, then WeasyPrint) and the .docx (docxtpl on the built-in
template). The database's part, four queries of a few rows (the count and the first
100 escalations by period, the run before by its unique key, the month's topic), is
left out; it is timed by the pages' benches.
"""

import argparse
import io
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PLACES = ("鲅鱼圈", "西市", "站前", "老边", "大石桥", "盖州", "㙟子", "熊岳")
TRADES = ("海产", "机械", "物流", "化工", "建材", "食品", "电子", "纺织")
MATTERS = (
    "厂区道路积水，雨季车辆无法通行，申请协调市政部门尽快修缮排水设施",
    "新生产线用电增容申请已提交两个月，尚未答复，影响下月投产",
    "办理环评手续时被要求重复提交材料，希望明确一次性告知清单",
    "出口退税到账慢，企业资金周转困难，请协调税务部门加快审核",
)


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    import django

    django.setup()


def counts(rng: random.Random, scale: int) -> dict:
    """A department's (or the month's) counts, each rate's numerator under its
    denominator, and its rates (petitions/rates.py)."""
    from petitions import rates

    answered = rng.randint(scale // 2, scale)
    rating_ended = rng.randint(answered // 2, answered)
    rated = rng.randint(rating_ended // 2, rating_ended)
    rated_with_solved = rng.randint(rated // 2, rated)
    row = {
        "intake": scale,
        "answered": answered,
        "answered_on_time": rng.randint(answered // 2, answered),
        "answered_on_time_original": rng.randint(answered // 3, answered // 2),
        "resolved": rng.randint(answered // 2, answered),
        "partly": rng.randint(0, answered // 5),
        "explained": rng.randint(0, answered // 5),
        "rating_ended": rating_ended,
        "rated": rated,
        "rated_by_staff": rng.randint(0, rated // 3),
        "no_rating": rating_ended - rated,
        "satisfied_or_basically": rng.randint(rated // 2, rated),
        "rated_with_solved": rated_with_solved,
        "solved": rng.randint(rated_with_solved // 2, rated_with_solved),
        "partly_solved": 0,
        "unsolved": 0,
        "paused_days": rng.randint(0, 40),
        "extensions_asked": rng.randint(0, 8),
        "extensions_approved": rng.randint(0, 4),
        "extensions_refused": rng.randint(0, 2),
        "bounces": rng.randint(0, 6),
        "dispatched": answered,
    }
    return rates.add_rates(row)


def report(rng: random.Random, departments: int) -> dict:
    """A stored monthly report of ~2,100 petitions, shaped as selectors.period_report
    stores it."""
    from petitions.models import Petition

    rows = []
    for n in range(departments):
        row = counts(rng, rng.randint(5, 160))
        row.update(
            id=n + 1,
            name=f"{rng.choice(PLACES)}区{rng.choice(TRADES)}产业发展服务中心{n + 1}",
            petitions=row["intake"],
        )
        rows.append(row)
    rows.sort(key=lambda r: -(r["response_rate"] or 0))
    for rank, row in enumerate(rows, start=1):
        row["rank"], row["tied"] = (
            (rank, False) if row["petitions"] >= 3 else (None, False)
        )
    return {
        "totals": counts(rng, 2100),
        "departments": rows,
        "by_channel": [
            {"code": code, "count": rng.randint(20, 900)}
            for code, _label in Petition.Channel.choices
        ],
        "by_category": [
            {"name": f"{rng.choice(TRADES)}类诉求{n}", "count": rng.randint(10, 300)}
            for n in range(20)
        ],
        "repeats": [],
        "rules": {"min_ranked": 3, "escalate_after": 10, "rating_days": 5},
    }


def context(rng: random.Random, departments: int, escalations: int) -> dict:
    from petitions.documents import context_of

    rows = [
        {
            "number": f"XS-2026-{n:06d}",
            "enterprise": f"营口{rng.choice(PLACES)}{rng.choice(TRADES)}有限公司",
            "title": rng.choice(MATTERS),
            "department": f"{rng.choice(PLACES)}区{rng.choice(TRADES)}局",
            "reason": "超期过久（周调度上报）",
            "overdue_days": rng.randint(11, 60),
            "age_days": rng.randint(21, 90),
            "on": "2026-10-19",
        }
        for n in range(escalations)
    ]
    topic = {
        "month": "2026-10",
        "title": "中小企业融资难",
        "status": "推进中",
        "lead": "鲅鱼圈区营商环境局",
        "departments": "㙟子街道办事处、区市场监管局、区金融发展局",
        "problems": ["贷款审批周期长", "抵押物认定难", "担保费用高"],
        "tasks": [
            {
                "text": f"任务{n}：召开银企对接会",
                "who": "区金融发展局",
                "due_on": "2026-11-30",
                "done": "未完成",
            }
            for n in range(5)
        ],
        "result": "",
    }
    started = time.perf_counter()
    built = context_of(
        title="月总结",
        kind="monthly",
        first=date(2026, 10, 1),
        last=date(2026, 10, 31),
        report=report(rng, departments),
        ran_at="2026-11-01 07:00",
        previous={
            "first": date(2026, 9, 1),
            "last": date(2026, 9, 30),
            "report": report(rng, departments),
        },
        escalations=rows,
        escalations_total=escalations,
        channel_name=lambda code: code,
        topics=[topic],
    )
    return built, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--escalations", type=int, default=100)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--out")
    args = parser.parse_args()
    configure()
    from django.conf import settings
    from django.template.loader import get_template
    from django.utils import timezone, translation
    from pypdf import PdfReader

    from chamber import documents
    from petitions.documents import KEY

    translation.activate("zh-hans")
    rng = random.Random(args.seed)
    docx_source = documents.built_in(KEY, "docx")
    timings = {"context": [], "html": [], "pdf": [], "docx": []}
    pages = size_pdf = size_docx = 0
    # One build first: WeasyPrint's and fontconfig's caches, as a running process has them.
    ctx, _seconds = context(rng, args.departments, args.escalations)
    documents.render_docx(KEY, ctx, source=docx_source)
    documents.pdf_from_html(
        get_template(f"documents/{KEY}.html").render(
            {"chamber_name": settings.CHAMBER_NAME, **ctx}
        )
    )
    for _ in range(args.repeat):
        ctx, seconds = context(rng, args.departments, args.escalations)
        timings["context"].append(seconds)
        started = time.perf_counter()
        html = get_template(f"documents/{KEY}.html").render(
            {"chamber_name": settings.CHAMBER_NAME, **ctx}
        )
        timings["html"].append(time.perf_counter() - started)
        pdf = documents.pdf_from_html(html)
        timings["pdf"].append(time.perf_counter() - started)
        started = time.perf_counter()
        docx = documents.render_docx(KEY, ctx, source=docx_source)
        timings["docx"].append(time.perf_counter() - started)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        size_pdf, size_docx = len(pdf), len(docx)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    result = {
        "date": timezone.localdate().isoformat(),
        "commit": commit,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "departments": args.departments,
        "escalations": args.escalations,
        "repeat": args.repeat,
        "pdf_pages": pages,
        "pdf_bytes": size_pdf,
        "docx_bytes": size_docx,
        **{
            f"{key}_s": {
                "median": round(statistics.median(values), 3),
                "max": round(max(values), 3),
            }
            for key, values in timings.items()
        },
    }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
