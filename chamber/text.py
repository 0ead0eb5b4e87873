"""Words typed into a search box, made safe to look up."""

import unicodedata


def search_words(value: str, *, limit: int) -> str:
    """The typed words with control and invisible characters dropped (PostgreSQL refuses
    a NUL in a query), runs of spaces made one, cut to `limit` characters."""
    kept = "".join(ch for ch in value or "" if unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())[:limit]
