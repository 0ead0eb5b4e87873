"""Repeated petitions (issue 20): the similarity measures compared, and a check timed at 50,000.

    .venv/bin/python bench/similarity.py pairs [--folds 5] [--repeat 20] [--out FILE]
    .venv/bin/python bench/similarity.py speed [--petitions 50000] [--checks 600]
                                               [--seed 20] [--out FILE]

No database and no Django: petitions/similarity.py is pure Python over what its
caller fetched, so both commands run it directly.

pairs: scores the labelled pairs of docs/similarity-pairs.csv with each measure
(character n-grams with cosine or Jaccard, title weighted or not; jieba's words when
jieba is installed: `.venv/bin/pip install jieba`), and prints for each the threshold
with the best F1 and its precision and recall, then the F1 of a cross-validation (the
threshold chosen on the other folds, `--folds` folds, `--repeat` shuffles) as the
figure to expect on pairs not seen. The last row is petitions.similarity's measure;
below the table, its figures at its THRESHOLD and the pairs it gets wrong there.

speed: writes `--petitions` synthetic petitions by recombining the clauses of the
labelled set within a topic (with other openings, figures, places, products, banks and
offices), so many of them are near one another: a harder case for the index than real
ones. It computes their
signatures and builds a SignatureIndex (timed), then times `--checks` checks (the
signature of a new petition plus the index's answer): half are petitions already
indexed raised again in other words (one clause dropped, another opening), half new
ones. It compares the index's answers with scoring every signature on a sample, times
that full scan, and times similar() over 20 and 300 petitions (an enterprise's own:
signatures computed at each check).
"""

import argparse
import csv
import json
import math
import os
import random
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from petitions import similarity  # noqa: E402

PAIRS = ROOT / "docs/similarity-pairs.csv"
RUN = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")

# jieba's words found in at least half of the demo's 62 petitions (petitions/demo.py),
# the rule of similarity.STOP applied to words.
JIEBA_STOP_DEMO = frozenset({"公司", "我", "的", "和"})
# The best list tried by hand: function words and the petitions' boilerplate.
HAND_STOP_WORDS = """
    的 了 和 与 及 是 在 有 我 我们 我公司 公司 企业 希望 请求 请 帮助 帮忙 能否 能不能 如何
    怎么 一下 一直 已 已经 需要 想 了解 问 反映 相关 部门 办理 问题 情况 目前 至今 没有 不 也
    都 就 还 把 被 对 为 由 从 等 这 那 个 一 下 给
"""
JIEBA_STOP_HAND = frozenset(HAND_STOP_WORDS.split())


# --- measures -------------------------------------------------------------------------


def ngram_counts(text: str, sizes: tuple[int, ...]) -> Counter:
    out: Counter = Counter()
    text = unicodedata.normalize("NFKC", text).lower()
    for run in RUN.findall(text):
        for n in sizes:
            out.update(run[i : i + n] for i in range(len(run) - n + 1))
    return out


def word_counts(text: str, search: bool) -> Counter:
    import jieba

    text = unicodedata.normalize("NFKC", text).lower()
    words = jieba.lcut_for_search(text) if search else jieba.lcut(text)
    return Counter(w for w in words if RUN.fullmatch(w))


def weighted(
    features: Callable[[str], Counter], title_weight: int, stop: frozenset
) -> Callable[[str, str], Counter]:
    def vector(title: str, description: str) -> Counter:
        out: Counter = Counter()
        for gram, count in features(title).items():
            out[gram] += title_weight * count
        out.update(features(description))
        for gram in stop & out.keys():
            del out[gram]
        return out

    return vector


def cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    dot = sum(weight * b.get(gram, 0) for gram, weight in a.items())
    norm = math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))
    return dot / norm


def jaccard(a: Counter, b: Counter) -> float:
    return similarity.score(frozenset(a), frozenset(b))


def title_apart(title: str, description: str) -> frozenset:
    """The chosen signature plus the title's n-grams again, marked as the title's."""
    marked = {f"t:{gram}" for gram in similarity.signature(title, "")}
    return similarity.signature(title, description) | marked


def measures() -> list[tuple[str, Callable[[str, str], object], Callable]]:
    """(name, vector of a petition, score of two vectors), the chosen one last."""
    none: frozenset = frozenset()
    rows = []
    for weight in (1, 2, 3):
        rows.append(
            (
                f"character bigrams, counts, cosine, title ×{weight}",
                weighted(lambda t: ngram_counts(t, (2,)), weight, none),
                cosine,
            )
        )
    rows += [
        (
            "character bigrams, set, Jaccard",
            weighted(lambda t: ngram_counts(t, (2,)), 1, none),
            jaccard,
        ),
        (
            "character bigrams + trigrams, counts, cosine",
            weighted(lambda t: ngram_counts(t, (2, 3)), 1, none),
            cosine,
        ),
        (
            "character trigrams, set, Jaccard",
            weighted(lambda t: ngram_counts(t, (3,)), 1, none),
            jaccard,
        ),
        (
            "characters + bigrams, counts, cosine",
            weighted(lambda t: ngram_counts(t, (1, 2)), 1, none),
            cosine,
        ),
        (
            "characters + bigrams, set, Jaccard (no stop list)",
            weighted(lambda t: ngram_counts(t, (1, 2)), 1, none),
            jaccard,
        ),
        (
            "characters + bigrams, set, Jaccard, title ×2 as its own n-grams",
            title_apart,
            similarity.score,
        ),
    ]
    try:
        import jieba
    except ImportError:
        print("jieba is not installed: its rows are left out", file=sys.stderr)
    else:
        jieba.setLogLevel(60)
        jieba.initialize()  # the dictionary loads once, not in the first row's time
        for search in (False, True):
            mode = "search mode" if search else "precise mode"
            for label, stop in (
                ("demo stop words", JIEBA_STOP_DEMO),
                ("hand stop list", JIEBA_STOP_HAND),
            ):
                for weight in (1, 2):
                    rows.append(
                        (
                            f"jieba words ({mode}, {label}), counts, cosine, title ×{weight}",
                            weighted(
                                lambda t, s=search: word_counts(t, s), weight, stop
                            ),
                            cosine,
                        )
                    )
                rows.append(
                    (
                        f"jieba words ({mode}, {label}), set, Jaccard",
                        weighted(lambda t, s=search: word_counts(t, s), 1, stop),
                        jaccard,
                    )
                )
    rows.append(
        (
            "**characters + bigrams, set, Jaccard, demo stop list (chosen)**",
            similarity.signature,
            similarity.score,
        )
    )
    return rows


# --- figures ------------------------------------------------------------------------------


def read_pairs() -> list[dict]:
    with PAIRS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def counts_at(scores, labels, threshold: float) -> tuple[int, int, int]:
    tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and y)
    fp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and not y)
    return tp, fp, sum(labels) - tp


def figures(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def best_threshold(scores, labels) -> float:
    """The threshold with the best F1, halfway between two scores (ties: the higher)."""
    levels = sorted(set(scores), reverse=True)
    best, chosen = -1.0, 1.0
    for i, level in enumerate(levels):
        f1 = figures(*counts_at(scores, labels, level))[2]
        if f1 > best:
            below = levels[i + 1] if i + 1 < len(levels) else 0.0
            best, chosen = f1, (level + below) / 2
    return chosen


def cross_validated_f1(scores, labels, folds: int, repeat: int) -> float:
    """The F1 of each pair judged at a threshold chosen on the other folds, averaged."""
    results = []
    order = list(range(len(scores)))
    for seed in range(repeat):
        random.Random(seed).shuffle(order)
        tp = fp = fn = 0
        for fold in range(folds):
            test = set(order[fold::folds])
            train = [i for i in order if i not in test]
            threshold = best_threshold(
                [scores[i] for i in train], [labels[i] for i in train]
            )
            for i in test:
                if scores[i] >= threshold:
                    tp += labels[i]
                    fp += 1 - labels[i]
                else:
                    fn += labels[i]
        results.append(figures(tp, fp, fn)[2])
    return statistics.mean(results)


def pairs(folds: int, repeat: int) -> dict:
    rows = read_pairs()
    labels = [int(row["duplicate"]) for row in rows]
    result = {
        "pairs": len(rows),
        "duplicates": sum(labels),
        "measures": [],
    }
    for name, vector, score in measures():
        start = time.perf_counter()
        scores = [
            score(
                vector(row["a_title"], row["a_description"]),
                vector(row["b_title"], row["b_description"]),
            )
            for row in rows
        ]
        elapsed = time.perf_counter() - start
        threshold = best_threshold(scores, labels)
        tp, fp, fn = counts_at(scores, labels, threshold)
        precision, recall, f1 = figures(tp, fp, fn)
        result["measures"].append(
            {
                "measure": name,
                "threshold": threshold,
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "cv_f1": cross_validated_f1(scores, labels, folds, repeat),
                "ms_per_pair": elapsed * 1000 / len(rows),
            }
        )
    chosen = result["measures"][-1]
    scores = [
        similarity.score(
            similarity.signature(row["a_title"], row["a_description"]),
            similarity.signature(row["b_title"], row["b_description"]),
        )
        for row in rows
    ]
    tp, fp, fn = counts_at(scores, labels, similarity.THRESHOLD)
    precision, recall, f1 = figures(tp, fp, fn)
    result["chosen"] = {
        "measure": chosen["measure"].strip("*"),
        "threshold": similarity.THRESHOLD,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "missed": [
            row["id"]
            for row, s, y in zip(rows, scores, labels, strict=True)
            if y and s < similarity.THRESHOLD
        ],
        "flagged_wrongly": [
            row["id"]
            for row, s, y in zip(rows, scores, labels, strict=True)
            if not y and s >= similarity.THRESHOLD
        ],
    }
    return result


def print_pairs(result: dict) -> None:
    print(
        f"{result['pairs']} pairs, {result['duplicates']} duplicates "
        f"({PAIRS.relative_to(ROOT)})"
    )
    print()
    print(
        "| measure | best threshold | precision | recall | F1 | F1, cross-validated "
        "| ms per pair |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|")
    for row in result["measures"]:
        print(
            f"| {row['measure']} | {row['threshold']:.3f} "
            f"| {row['precision']:.3f} ({row['tp']}/{row['tp'] + row['fp']}) "
            f"| {row['recall']:.3f} ({row['tp']}/{row['tp'] + row['fn']}) "
            f"| {row['f1']:.3f} | {row['cv_f1']:.3f} | {row['ms_per_pair']:.2f} |"
        )
    chosen = result["chosen"]
    print()
    print(
        f"petitions.similarity at THRESHOLD {chosen['threshold']}: "
        f"precision {chosen['precision']:.3f} ({chosen['tp']}/{chosen['tp'] + chosen['fp']}), "
        f"recall {chosen['recall']:.3f} ({chosen['tp']}/{chosen['tp'] + chosen['fn']}), "
        f"F1 {chosen['f1']:.3f}"
    )
    print(f"  duplicates missed: {', '.join(chosen['missed'])}")
    print(f"  flagged wrongly:   {', '.join(chosen['flagged_wrongly'])}")


# --- synthetic petitions --------------------------------------------------------------------

# Words a synthetic petition swaps for another of its group, so that petitions
# recombined from the same clauses still differ in what, where and with whom.
SWAPS = [
    # places
    "西市区工业园 沿海产业基地 自贸区 港城路 渤海大街 得胜街 辽河老街 民主街 公园路 熊岳 "
    "鲅鱼圈 营口港 电商产业园 软件园 环保园 化工园区 站前区 老边区 大石桥 盖州 仙人岛 "
    "北海新区 青花大街 新华路 金牛山大街 学府路 滨海路 工业街 东升路 辽河大街",
    # what an enterprise makes or sells
    "电缆桥架 锂电池正极材料 镁质耐火材料 汽车底盘冲压件 高端密封件 瓦楞纸箱 办公家具 "
    "机电产品 矿用破碎设备 海产品 水产品 苹果 面包 不锈钢管件 光伏支架 塑料编织袋 精密轴承 "
    "液压阀门 食用菌 冷冻虾仁 预制菜 玻璃纤维 硅钢片 电子元器件 工业机器人 包装薄膜 "
    "船舶配件 钢丝绳 中药饮片 医用敷料 保温材料 石材 木门 服装 劳保手套 铝型材 风电叶片 "
    "锅炉配件 农机具 饲料 有机肥 水性涂料 润滑油 轮胎 日用陶瓷 卫浴洁具 家电配件 纺织面料",
    # banks
    "农商行 营口银行 建设银行 工商银行 交通银行 农业银行 中国银行 邮储银行 股份制银行 "
    "城商行 兴业银行 招商银行 民生银行 浦发银行 盛京银行",
    # who answers
    "人社部门 税务部门 市场监管部门 住建部门 商务部门 发改局 自然资源部门 生态环境部门 "
    "应急管理部门 交通运输部门 教育局 供电公司 燃气公司 供水公司 城管部门 海关",
    # the trade
    "餐馆 小吃店 酒店 超市 烘焙门店 健身馆 冷库 仓库 车间 厂房 门店 研发楼 实验室 "
    "展厅 宿舍楼 食堂 物流中心 配送站 加油站 洗车店",
]
GROUPS = [group.split() for group in SWAPS]
GROUP_OF = {word: words for words in GROUPS for word in words}
SWAPPABLE = re.compile("|".join(sorted(GROUP_OF, key=len, reverse=True)))
OPENINGS = [
    "",
    "",
    "",
    "值班接待记录：",
    "企业电话反映：",
    "会诊日企业提出：",
    "企业在会客厅反映：",
]
CLAUSE = re.compile(r"[^，。；！？]+[，。；！？]?")


class Phrases:
    """The labelled set's titles and clauses, by topic (the letter of a pair's id)."""

    def __init__(self) -> None:
        self.titles: dict[str, list[str]] = defaultdict(list)
        self.clauses: dict[str, list[str]] = defaultdict(list)
        seen = set()
        for row in read_pairs():
            kind, key = row["id"].split("-")[:2]
            if kind not in {"D", "D2", "H"}:
                continue
            topic = key.rstrip("0123456789")
            for side in ("a", "b"):
                title, text = row[f"{side}_title"], row[f"{side}_description"]
                if (title, text) in seen:
                    continue
                seen.add((title, text))
                self.titles[topic].append(title)
                text = re.sub(r"^[^：]{2,12}：", "", text)  # the opening is drawn anew
                self.clauses[topic] += [c for c in CLAUSE.findall(text) if len(c) > 3]
        self.topics = sorted(self.titles)


def vary(text: str, rng: random.Random) -> str:
    """Other figures, places, products, banks and offices in the same words."""
    text = re.sub(r"\d+", lambda m: str(rng.randrange(2, 10 ** len(m.group()))), text)
    return SWAPPABLE.sub(lambda m: rng.choice(GROUP_OF[m.group()]), text)


def petition(phrases: Phrases, rng: random.Random) -> SimpleNamespace:
    topic = rng.choice(phrases.topics)
    clauses = rng.sample(phrases.clauses[topic], rng.randint(5, 9))
    text = rng.choice(OPENINGS) + vary("".join(clauses), rng)
    if not text.endswith("。"):
        text = text.rstrip("，；") + "。"
    title = vary(rng.choice(phrases.titles[topic]), rng)
    return SimpleNamespace(title=title, description=text)


def raised_again(original: SimpleNamespace, rng: random.Random) -> SimpleNamespace:
    """The same petition in other words: another opening, a clause left out."""
    clauses = CLAUSE.findall(re.sub(r"^[^：]{2,12}：", "", original.description))
    if len(clauses) > 3:
        clauses.pop(rng.randrange(len(clauses)))
    return SimpleNamespace(
        title=original.title,
        description=rng.choice(OPENINGS) + "".join(clauses),
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


def timed(function: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = function()
    return (time.perf_counter() - start) * 1000, value


def index_megabytes(index: similarity.SignatureIndex) -> float:
    """What the index holds: postings, signatures, n-grams and keys."""
    total = sys.getsizeof(index._numbers) + sys.getsizeof(index._keys)
    total += sum(sys.getsizeof(gram) for gram in index._numbers)
    total += sys.getsizeof(index._postings)
    total += sum(sys.getsizeof(posting) for posting in index._postings)
    total += sys.getsizeof(index._signatures)
    total += sum(sys.getsizeof(sig) for sig in index._signatures)
    total += sum(sys.getsizeof(number) for number in range(257, len(index)))
    return total / 2**20


def reads_every_posting(index: similarity.SignatureIndex, sig: frozenset) -> bool:
    """Whether a check stays under READ_LIMIT, and so is exact (SignatureIndex.similar)."""
    lengths = sorted(
        len(index._postings[n])
        for gram in sig
        if (n := index._numbers.get(gram)) is not None
    )
    prefix = len(lengths) - (math.ceil(similarity.THRESHOLD * len(sig)) - 1)
    total = 0
    for probed, length in enumerate(lengths[: max(prefix, 0)]):
        if probed and total + length > similarity.READ_LIMIT:
            return False
        total += length
    return True


def speed(count: int, checks: int, seed: int) -> dict:
    rng = random.Random(seed)
    phrases = Phrases()
    start = time.perf_counter()
    petitions = [petition(phrases, rng) for _ in range(count)]
    generated_s = time.perf_counter() - start

    start = time.perf_counter()
    signatures = [similarity.signature(p.title, p.description) for p in petitions]
    signatures_s = time.perf_counter() - start
    start = time.perf_counter()
    index = similarity.SignatureIndex(enumerate(signatures))
    index_s = time.perf_counter() - start

    queries = []
    for i in range(checks):
        if i % 2:
            queries.append(("new", petition(phrases, rng), None))
        else:
            number = rng.randrange(count)
            queries.append(("again", raised_again(petitions[number], rng), number))

    load_before = os.getloadavg()[0]
    wall: dict[str, list[float]] = {"again": [], "new": []}
    answers = []
    cpu_start = time.process_time()
    for kind, query, _ in queries:
        ms, answer = timed(
            lambda q=query: index.similar(similarity.signature(q.title, q.description))
        )
        wall[kind].append(ms)
        answers.append(answer)
    cpu_ms = (time.process_time() - cpu_start) * 1000 / len(queries)
    load_after = os.getloadavg()[0]

    exact = [
        reads_every_posting(index, similarity.signature(q.title, q.description))
        for _, q, _ in queries
    ]
    again = [
        (answer, number)
        for (kind, _, number), answer in zip(queries, answers, strict=True)
        if kind == "again"
    ]

    # The index against scoring every signature, on a sample.
    sample = rng.sample(range(len(queries)), min(100, len(queries)))
    agree = same_first = 0
    scan_ms = []
    for i in sample:
        query = queries[i][1]
        sig = similarity.signature(query.title, query.description)
        ms, scores = timed(
            lambda sig=sig: [similarity.score(sig, other) for other in signatures]
        )
        scan_ms.append(ms)
        best = sorted(
            (-s, number) for number, s in enumerate(scores) if s >= similarity.THRESHOLD
        )[:5]
        expected = [(number, -s) for s, number in best]
        agree += answers[i] == expected
        same_first += answers[i][:1] == expected[:1]

    # An enterprise's own petitions: similar() over objects, signatures computed here.
    own = {}
    for size in (20, 300):
        times = [
            timed(
                lambda q=q, c=petitions[:size]: similarity.similar(
                    c, q.title, q.description
                )
            )[0]
            for _, q, _ in queries[:200]
        ]
        own[size] = {"p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99)}

    every = wall["again"] + wall["new"]
    lengths = [len(p.title) + len(p.description) for p in petitions]
    return {
        "petitions": count,
        "seed": seed,
        "read_limit": similarity.READ_LIMIT,
        "characters_median": statistics.median(lengths),
        "signature_size_median": statistics.median(len(s) for s in signatures),
        "distinct_ngrams": len(index._numbers),
        "generate_s": generated_s,
        "signatures_s": signatures_s,
        "index_s": index_s,
        "index_mb": index_megabytes(index),
        "checks": len(queries),
        "exact_checks": sum(exact),
        "load_average": [load_before, load_after],
        "cpu_ms_per_check": cpu_ms,
        "kinds": {
            kind: {
                "checks": len(times),
                "p50_ms": percentile(times, 50),
                "p99_ms": percentile(times, 99),
                "max_ms": max(times),
                "mean_ms": statistics.mean(times),
            }
            for kind, times in wall.items()
        },
        "all": {
            "p50_ms": percentile(every, 50),
            "p99_ms": percentile(every, 99),
            "mean_ms": statistics.mean(every),
        },
        "raised_again_found": sum(
            1 for answer, number in again if number in {key for key, _ in answer}
        ),
        "raised_again": len(again),
        "full_scan": {
            "checks": len(sample),
            "agree": agree,
            "same_first": same_first,
            "p50_ms": percentile(scan_ms, 50),
        },
        "similar_objects": own,
    }


def print_speed(result: dict) -> None:
    print(
        f"{result['petitions']:,} petitions (median {result['characters_median']:.0f} "
        f"characters, {result['signature_size_median']:.0f} n-grams each, "
        f"{result['distinct_ngrams']:,} distinct n-grams): generated in "
        f"{result['generate_s']:.1f} s, signatures {result['signatures_s']:.1f} s, "
        f"index {result['index_s']:.1f} s and {result['index_mb']:.0f} MB"
    )
    load = result["load_average"]
    print(
        f"load average {load[0]:.2f} → {load[1]:.2f}; "
        f"CPU {result['cpu_ms_per_check']:.2f} ms per check; "
        f"{result['exact_checks']} of {result['checks']} checks read every posting "
        f"they needed (READ_LIMIT {result['read_limit']:,})"
    )
    print()
    print("| check | checks | p50 ms | p99 ms | max ms | mean ms |")
    print("|---|--:|--:|--:|--:|--:|")
    labels = {
        "again": "a petition raised again in other words",
        "new": "a new petition",
    }
    for kind, row in result["kinds"].items():
        print(
            f"| {labels[kind]} | {row['checks']} | {row['p50_ms']:.2f} "
            f"| {row['p99_ms']:.2f} | {row['max_ms']:.2f} | {row['mean_ms']:.2f} |"
        )
    row = result["all"]
    print(
        f"| all | {result['checks']} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} "
        f"| | {row['mean_ms']:.2f} |"
    )
    scan = result["full_scan"]
    print()
    print(
        f"petitions raised again found: {result['raised_again_found']} of "
        f"{result['raised_again']}"
    )
    print(
        f"scoring every signature instead: {scan['p50_ms']:.0f} ms per check (p50); "
        f"the index gave the same five in {scan['agree']} of {scan['checks']} checks, "
        f"the same first in {scan['same_first']}"
    )
    for size, row in result["similar_objects"].items():
        print(
            f"similar() over {size} petitions (signatures computed at each check): "
            f"p50 {row['p50_ms']:.2f} ms, p99 {row['p99_ms']:.2f} ms"
        )


# --- main -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pairs")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--out", type=Path)
    s = sub.add_parser("speed")
    s.add_argument("--petitions", type=int, default=50_000)
    s.add_argument("--checks", type=int, default=600)
    s.add_argument("--seed", type=int, default=20)
    s.add_argument("--out", type=Path)
    args = parser.parse_args()

    if args.command == "pairs":
        result = pairs(args.folds, args.repeat)
        print_pairs(result)
    else:
        result = speed(args.petitions, args.checks, args.seed)
        print_speed(result)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
