"""The texts a user reads, looked up in the Chinese catalogue the way the pages do."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from petitions.models import Section


def zh(msgid, **values) -> str:
    """The Chinese of a message (the msgid while it is not translated yet), filled in
    with `values` when given; a lazy text or a label is read in Chinese as it is."""
    with translation.override("zh-hans"):
        text = gettext(msgid) if isinstance(msgid, str) else str(msgid)
    return text % values if values else text


def zh_translated(msgid: str) -> str:
    """The Chinese of a message, which must be translated: the page shows no English."""
    text = zh(msgid)
    assert text != msgid, f"no Chinese translation for {msgid!r}"
    return text


def zh_marked(msgid: str) -> str:
    """The Chinese a user sees; while untranslated, the English must at least be marked."""
    text = zh(msgid)
    if text == msgid:
        assert marked_for_translation(msgid), f"{msgid!r} is not marked for translation"
    return text


def marked_for_translation(msgid: str) -> bool:
    """A template or a module of the apps marks `msgid` for translation."""
    quoted = re.escape(f'"{msgid}"')
    marked = re.compile(
        rf"(?:\{{%\s*translate\s+|\b_\(\s*|gettext(?:_lazy)?\(\s*){quoted}"
    )
    base = Path(settings.BASE_DIR)
    files = [*base.joinpath("templates").rglob("*.html"), *base.glob("*/*.py")]
    return any(marked.search(path.read_text(encoding="utf-8")) for path in files)


def in_chinese(value) -> str:
    """What str() of a lazy text or of an object that translates itself gives in Chinese
    (a plain string is returned as it is, never looked up)."""
    with translation.override("zh-hans"):
        return str(value)


def zh_label(choice) -> str:
    """A choice's label in Chinese."""
    return in_chinese(choice.label)


def heading(section: str) -> str:
    """A section's heading as pages, the board and the digest show it in Chinese."""
    with translation.override("zh-hans"):
        return capfirst(str(Section(section).label))
