"""Ranks of standings and report tables: equal scores share a place (并列), the next skips.

Standard competition ranking, as Chinese standings show it: 1, 2, 2, 4; the shared
places read 并列第2.
"""

from collections.abc import Sequence
from typing import Any

from django.utils.translation import pgettext


def competition_ranks(scores: Sequence[Any]) -> list[tuple[int, bool]]:
    """(rank, tied) for each score of a list sorted best first: 4, 4, then 6; tied when shared."""
    ranks: list[int] = []
    for position, score in enumerate(scores, start=1):
        if ranks and score == scores[position - 2]:
            ranks.append(ranks[-1])
        else:
            ranks.append(position)
    counts: dict[int, int] = {}
    for rank in ranks:
        counts[rank] = counts.get(rank, 0) + 1
    return [(rank, counts[rank] > 1) for rank in ranks]


def rank_label(rank: int, tied: bool) -> str:
    """How a rank reads in a table: "4", or "并列第4" when others share it."""
    if tied:
        return pgettext("shared rank", "tied %(rank)d") % {"rank": rank}
    return str(rank)
