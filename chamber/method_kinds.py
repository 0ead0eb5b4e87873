"""The method's lists that staff keep as data (+N): petition channels, campaign kinds,
platform kinds.

The method adds a way in or a kind of campaign from one year to the next, so these are
rows of `chamber.models.MethodKind` (with their history: who changed what, when), not
code. Each app keeps its built-in codes as an enum (`Petition.Channel`, …) for the code
that needs one by name (the studio's QR code files under "duty_studio") and for their
translated names; staff add codes, rename, reorder and retire them in the admin. A
model field takes its choices from `choices(group, built_in)` through a callable, so a
change needs no migration and applies at once; a retired code still shows on the
records that have it, and forms offer only the active ones (`active_only`).
"""

import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import DatabaseError

CACHE_KEY = "method-kinds:rows"
# Within one process a list is read at most this often (a page asks once per row).
MEMO_SECONDS = 2.0

_memo: tuple[float, dict] | None = None


def _load() -> dict[str, list[tuple[str, str, bool]]]:
    from chamber.models import MethodKind

    rows: dict[str, list[tuple[str, str, bool]]] = {}
    for group, code, name, active in MethodKind.objects.order_by(
        "group", "sort_order", "code"
    ).values_list("group", "code", "name", "is_active"):
        rows.setdefault(group, []).append((code, name, active))
    return rows


def _rows() -> dict[str, list[tuple[str, str, bool]]]:
    global _memo
    now = time.monotonic()
    if _memo is not None and now - _memo[0] < MEMO_SECONDS:
        return _memo[1]
    rows = cache.get(CACHE_KEY)
    if rows is None:
        try:
            rows = _load()
        except DatabaseError:
            # Before the first migration (the system checks read the choices): the
            # built-in lists, nothing remembered.
            return {}
        cache.set(CACHE_KEY, rows, 3600)
    _memo = (now, rows)
    return rows


def forget() -> None:
    """After a change: the next read goes to the database (every process with a shared
    cache; this process at once)."""
    global _memo
    _memo = None
    cache.delete(CACHE_KEY)


_built_in: dict[str, dict[str, str]] = {}


def register(group: str, built_in: Iterable[tuple[str, str]]) -> None:
    """An app names its built-in entries of a list (its enum's choices), at import."""
    _built_in[group] = dict(built_in)


def built_in(group: str) -> dict[str, str]:
    """The built-in entries of a list: code -> the portal's own (translated) name."""
    return _built_in.get(group, {})


def choices(group: str, *, active_only: bool = False) -> list[tuple[str, str]]:
    """The group's (code, name) in the staff's order: the stored name, else the built-in
    one (translated). Before any row is stored (a fresh database), the built-in list."""
    names = built_in(group)
    stored = _rows().get(group)
    if not stored:
        return list(names.items())
    return [
        (code, name or str(names.get(code, code)))
        for code, name, active in stored
        if active or not active_only
    ]


def label(group: str, code: str) -> str:
    """One code's name (the code itself if nobody knows it)."""
    return dict(choices(group)).get(code, code)
