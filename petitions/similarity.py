"""How alike two petitions read: the measure behind repeated petitions (重复诉求, issue 20).

A petition's signature is the set of its characters and pairs of adjacent characters
(unigrams and bigrams) in its title and description; two petitions score the Jaccard
index of their signatures: shared n-grams over all n-grams of either. Chinese needs
no word segmentation for this: on the labelled pairs of docs/similarity-pairs.csv the
n-grams did better than jieba's words, and need no dependency (docs/similarity.md has
the method and the figures; bench/similarity.py measures them again).

Pure Python over what the caller fetched, so it behaves the same on SQLite and
PostgreSQL: `similar()` ranks a small candidate set (one enterprise's recent
petitions), `SignatureIndex` answers against many precomputed signatures at once
(docs/performance.md: 50,000 petitions).
"""

import math
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Hashable, Iterable
from typing import NamedTuple, Protocol, TypeVar

# Measured on the 175 labelled pairs of docs/similarity-pairs.csv (76 duplicates): at
# 0.17, precision 0.885 (69 of the 78 pairs flagged are duplicates), recall 0.908 (69
# of the 76 duplicates flagged), F1 0.896; tests/petitions/test_similarity.py keeps
# them there. The best F1 on this set, 0.913 at 0.176, sits on a knife edge (three
# pairs about other matters score 0.175 to 0.176), and a missed repeat costs more
# than a suggestion declined: the round figure below it.
THRESHOLD = 0.17

# What a signature leaves out: the n-grams found in at least half of the demo's 62
# petitions (petitions/demo.py). They say who writes (我公司, 企业), not what about.
STOP = frozenset({"我", "公", "司", "的", "和", "业", "我公", "公司"})

# A check of SignatureIndex reads at most this many posting entries (a few ms),
# then scores the VERIFIED signatures that share the most n-grams read so far.
READ_LIMIT = 50_000
VERIFIED = 200

# Runs of characters that n-grams are taken within, after NFKC and lower case:
# digits, Latin letters and the CJK ideographs (punctuation and spaces split runs).
_RUN = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f]+")

Signature = frozenset[str]


class Petitionlike(Protocol):
    """What similar() reads of a candidate: a Petition, or anything with these two."""

    title: str
    description: str


T = TypeVar("T", bound=Petitionlike)


class Match(NamedTuple):
    """A candidate of similar() and its score."""

    petition: Petitionlike
    score: float


def signature(title: str, description: str) -> Signature:
    """The unigrams and bigrams of a petition's title and description, boilerplate left out.

    Title and description count alike (weighting the title lowered precision: a
    same-category petition about another matter often has a title much like the
    first). Some 40 µs for a petition of 120 characters; `" ".join(sorted(s))`
    stores one, since no n-gram holds a space.
    """
    text = unicodedata.normalize("NFKC", f"{title or ''}\n{description or ''}").lower()
    grams: set[str] = set()
    for run in _RUN.findall(text):
        grams.update(run)
        grams.update(map(str.__add__, run, run[1:]))
    return frozenset(grams - STOP)


def score(a: Signature, b: Signature) -> float:
    """How alike two signatures are, from 0 (nothing shared) to 1 (the same n-grams)."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def similar(
    candidates: Iterable[T],
    title: str,
    description: str,
    *,
    limit: int = 5,
    threshold: float = THRESHOLD,
) -> list[Match]:
    """The candidates at or above the threshold, most alike first, at most `limit`.

    For a candidate set the caller has narrowed (an enterprise's open and recently
    closed petitions); each candidate's signature is computed here. Equal scores keep
    the candidates' order, so a caller passing the newest first sees those first.
    """
    wanted = signature(title, description)
    if not wanted:
        return []
    found = []
    for order, candidate in enumerate(candidates):
        value = score(wanted, signature(candidate.title, candidate.description))
        if value >= threshold:
            found.append((-value, order, candidate))
    found.sort(key=lambda row: row[:2])
    return [Match(candidate, -value) for value, _, candidate in found[:limit]]


class SignatureIndex:
    """Many precomputed signatures, kept as an inverted index of their n-grams.

    A check counts, for each indexed signature, the n-grams it shares with the
    petition checked, reading the postings of the rarer n-grams first. A signature
    that shares none of the rarer n-grams cannot reach the threshold (prefix
    filtering: the commonest `ceil(threshold × size) - 1` n-grams need not be read),
    so while the postings to read hold at most READ_LIMIT entries the answer is
    exactly the one scoring every signature would give. Past that, the check stops
    reading and scores the VERIFIED signatures that share the most n-grams read so
    far: bounded time at any size, measured against scoring every signature in
    bench/similarity.py.

    Signatures are kept as arrays of n-gram numbers (4 bytes each), postings as
    lists. In memory and built once; a table of (n-gram, petition) rows would do the
    same in the database.
    """

    def __init__(self, items: Iterable[tuple[Hashable, Signature]] = ()) -> None:
        self._keys: list[Hashable] = []
        self._signatures: list[array] = []
        self._numbers: dict[str, int] = {}  # n-gram -> its number
        self._postings: list[list[int]] = []  # by n-gram number
        for key, sig in items:
            self.add(key, sig)

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: Hashable, sig: Signature) -> None:
        """Index one signature under its key (a petition's id)."""
        position = len(self._keys)
        numbers, postings = self._numbers, self._postings
        grams = array("I")
        for gram in sig:
            number = numbers.get(gram)
            if number is None:
                number = numbers[gram] = len(postings)
                postings.append([])
            postings[number].append(position)
            grams.append(number)
        self._keys.append(key)
        self._signatures.append(grams)

    def similar(
        self, sig: Signature, *, limit: int = 5, threshold: float = THRESHOLD
    ) -> list[tuple[Hashable, float]]:
        """(key, score) of the signatures at or above the threshold, most alike first.

        Equal scores keep the order the signatures were added in.
        """
        size = len(sig)
        if not size or threshold <= 0:
            return []
        known = {n for gram in sig if (n := self._numbers.get(gram)) is not None}
        postings = sorted((self._postings[n] for n in known), key=len)
        # Sharing only the commonest n-grams left unread here, a signature would
        # share fewer than threshold × size n-grams: its score is below threshold.
        prefix = len(postings) - (math.ceil(threshold * size) - 1)
        counts: Counter[int] = Counter()
        read = probed = 0
        for posting in postings[: max(prefix, 0)]:
            if probed and read + len(posting) > READ_LIMIT:
                break
            counts.update(posting)
            read += len(posting)
            probed += 1
        if probed == prefix:
            unread = len(postings) - probed
            candidates = (
                (position, shared)
                for position, shared in counts.items()
                # as if it held every unread n-gram too: still below threshold?
                if (most := shared + unread)
                >= threshold * (size + len(self._signatures[position]) - most)
            )
        else:
            candidates = counts.most_common(VERIFIED)
        found = []
        for position, _ in candidates:
            other = self._signatures[position]
            shared = len(known.intersection(other))
            value = shared / (size + len(other) - shared)
            if value >= threshold:
                found.append((-value, position))
        found.sort()
        return [(self._keys[position], -value) for value, position in found[:limit]]
