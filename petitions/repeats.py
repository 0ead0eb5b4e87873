"""Repeated petitions (重复诉求, issue 20 item 6): what to suggest, what to flag.

Two readers, one measure (petitions/similarity.py, docs/similarity.md):

- a member typing a petition is shown their own enterprise's open petitions and those
  ended in the last RECENT_DAYS days that read alike (`suggestions`), to add to one of
  them rather than file the matter again. The candidates are one query, the
  enterprise's, never another enterprise's: similarity.similar() ranks them.
- staff see, for the petitions they triage, the likely repeats across enterprises and
  channels (`likely_duplicates`): the same street's works raised by two enterprises,
  a consultation day's note and the online form. A check there reads every open and
  recent petition, so each process keeps a SignatureIndex of that window in memory
  (`_Window`): built once a day, grown by primary key at each check (one query for
  the rows added since), its answers read back from the database (one query for all
  the rows checked) so a petition that ended, merged or left the window since drops
  out. docs/performance.md has the figures at 50,000 petitions, and the memory it
  takes per process.

Everything runs the same on SQLite and PostgreSQL: plain queries by key and status,
the n-grams in Python.
"""

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from petitions import similarity
from petitions.models import Petition

# A petition ended this many days ago is still suggested (and flagged): a repeat is
# often the same matter raised again after an answer the enterprise did not accept.
RECENT_DAYS = 90
# The most of one enterprise's petitions a suggestion reads: newest first; an
# enterprise with more open and recent ones than this is not one we know of.
CANDIDATES = 300
# What a member is shown, and what staff see per petition.
SUGGESTED = 5
FLAGGED = 3
# What the index answers are kept to per petition: more than are shown, since some may
# have ended or merged since the index was built.
KEPT = 8
# The window's rows fetched back per refresh: some below the last key seen, for a
# petition whose transaction committed after a later one's.
OVERLAP = 100

S = Petition.Status

# What suggestions() reads of each candidate: what similar() scores and the page shows.
_SUGGESTION_FIELDS = (
    "pk",
    "number",
    "title",
    "description",
    "status",
    "created_at",
    "closed_at",
    "enterprise_id",
)


# What likely_duplicates() reads of each petition found: what the staff's pages show.
_DUPLICATE_FIELDS = (
    "pk",
    "number",
    "title",
    "status",
    "channel",
    "created_at",
    "enterprise__name",
    "enterprise__status",
)


def window_q(since: datetime) -> Q:
    """Open petitions and those ended since `since`; never one merged into another
    (its matter is followed in the one it was merged into)."""
    return ~Q(status=S.MERGED) & (
        ~Q(status__in=Petition.ENDED_STATUSES) | Q(closed_at__gte=since)
    )


def _since(now: datetime | None) -> datetime:
    return (now or timezone.now()) - timedelta(days=RECENT_DAYS)


# --- members: their own enterprise's petitions ------------------------------------------


def suggestions(
    enterprise_id: int,
    title: str,
    description: str,
    exclude_pk: int | None = None,
    *,
    now: datetime | None = None,
) -> list[similarity.Match]:
    """The enterprise's open and recently ended petitions that read like this one,
    most alike first (at most SUGGESTED), each a Match of a Petition (only the fields
    above) and its score. Another enterprise's petition is never a candidate. One
    query."""
    if not enterprise_id:
        return []
    candidates = (
        Petition.objects.for_enterprise(enterprise_id)
        .filter(window_q(_since(now)))
        .only(*_SUGGESTION_FIELDS)
        .order_by("-created_at", "-pk")
    )
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    return similarity.similar(
        list(candidates[:CANDIDATES]), title, description, limit=SUGGESTED
    )


# --- staff: across enterprises and channels ---------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    """A likely repeat of a petition: the other petition (its enterprise fetched) and
    how alike the two read."""

    petition: Petition
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


@dataclass
class _Memo:
    """A petition's answer from the index, and how far the index had grown then."""

    generation: int
    size: int
    signature: similarity.Signature
    found: list[tuple[int, float]]


class _Window:
    """Open and recent petitions as a SignatureIndex, one per process.

    Built on the first check of the day (Beijing time), then grown at each check with
    the petitions added since (by primary key). A petition that ends or merges stays
    in the index until the next day's build; `likely_duplicates` reads every answer
    back from the database through window_q, so it is never shown. A petition's title
    and description never change once it is received (read-only in the admin), so a
    petition's answer is kept (`_memo`) and brought up to date with only the petitions
    added since: a board shown again costs no check at all.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.generation = 0
        self.forget()

    def forget(self) -> None:
        """Drop the index: the next check builds it again (tests; a changed window)."""
        self.index: similarity.SignatureIndex | None = None
        self.built_on = None
        self.generation += 1
        self.last_pk = 0
        self.keys: set[int] = set()
        # The signatures added since the build, in index order (for the memo).
        self.added: list[tuple[int, similarity.Signature]] = []
        self.base = 0  # the index's size when built
        self._memo: dict[int, _Memo] = {}

    def _build(self, now: datetime) -> None:
        self.forget()
        rows = (
            Petition.objects.filter(window_q(_since(now)))
            .order_by("pk")
            .values_list("pk", "title", "description")
        )
        index = similarity.SignatureIndex()
        for pk, title, description in rows.iterator(chunk_size=2000):
            index.add(pk, similarity.signature(title, description))
            self.keys.add(pk)
            self.last_pk = pk
        self.index, self.base = index, len(index)
        self.built_on = timezone.localdate(now)

    def _refresh(self, now: datetime) -> None:
        """Index the petitions added since the last check. One query."""
        rows = (
            Petition.objects.filter(
                window_q(_since(now)), pk__gt=self.last_pk - OVERLAP
            )
            .order_by("pk")
            .values_list("pk", "title", "description")
        )
        for pk, title, description in rows:
            self.last_pk = max(self.last_pk, pk)
            if pk in self.keys:
                continue
            sig = similarity.signature(title, description)
            self.index.add(pk, sig)
            self.keys.add(pk)
            self.added.append((pk, sig))

    def check(
        self, items: Sequence[tuple[int | None, str, str]], *, now: datetime
    ) -> list[list[tuple[int, float]]]:
        """For each (pk, title, description), in order: the (pk, score) of the indexed
        petitions at or above the threshold, itself left out, most alike first."""
        with self._lock:
            if self.index is None or self.built_on != timezone.localdate(now):
                self._build(now)
            else:
                self._refresh(now)
            return [self._answer(*item) for item in items]

    def _answer(
        self, pk: int | None, title: str, description: str
    ) -> list[tuple[int, float]]:
        size = len(self.index)
        memo = self._memo.get(pk) if pk is not None else None
        if memo is None or memo.generation != self.generation:
            sig = similarity.signature(title, description)
            found = self.index.similar(sig, limit=KEPT + 1)
        elif memo.size == size:
            return memo.found
        else:
            # Only the petitions added since the answer was kept can change it.
            sig = memo.signature
            newer = [
                (key, value)
                for key, other in self.added[memo.size - self.base :]
                if (value := similarity.score(sig, other)) >= similarity.THRESHOLD
            ]
            found = sorted(memo.found + newer, key=lambda row: -row[1])
        found = [(key, value) for key, value in found if key != pk][:KEPT]
        if pk is not None:
            self._memo[pk] = _Memo(self.generation, size, sig, found)
        return found


_window = _Window()


def forget() -> None:
    """Drop this process's index (tests: a rolled-back transaction reuses keys)."""
    with _window._lock:
        _window.forget()


def likely_duplicates(
    petitions: Iterable[Petition], *, now: datetime | None = None
) -> dict[int, list[Duplicate]]:
    """Each petition's likely repeats among the open and recently ended petitions of
    every enterprise and channel, most alike first, at most FLAGGED: {pk: [Duplicate]},
    petitions without any left out. Two queries whatever the number of petitions (the
    petitions added since the last check, then the rows found, with their enterprise),
    a third instead of the first once a day (the window, built again)."""
    now = now or timezone.now()
    petitions = list(petitions)
    if not petitions:
        return {}
    answers = _window.check(
        [(p.pk, p.title, p.description) for p in petitions], now=now
    )
    wanted = {key for found in answers for key, _score in found}
    if not wanted:
        return {}
    rows = {
        p.pk: p
        for p in Petition.objects.filter(window_q(_since(now)), pk__in=wanted)
        .select_related("enterprise")
        .only(*_DUPLICATE_FIELDS)
    }
    result = {}
    for petition, found in zip(petitions, answers, strict=True):
        # Those that ended or merged since the window was built are left out here.
        matches = [Duplicate(rows[key], value) for key, value in found if key in rows]
        if matches:
            result[petition.pk] = matches[:FLAGGED]
    return result


def merge_reason(number: str) -> str:
    """The answer staff start from when merging into petition `number` (they may
    change it): the enterprise reads which petition follows its matter."""
    return _(
        "The same matter is already being handled as petition %(number)s. Your "
        "petition was merged into it and is followed there."
    ) % {"number": number}
