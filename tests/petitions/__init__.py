"""Helpers shared by the petition tests."""

from django.utils import translation
from django.utils.text import capfirst

from petitions.models import Section


def heading(section: str) -> str:
    """A section's heading as pages, the board and the digest show it in Chinese."""
    with translation.override("zh-hans"):
        return capfirst(str(Section(section).label))
