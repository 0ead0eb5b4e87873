"""Paper (issue 21): the documents the chamber prints, hands out and files.

Each kind of document is registered once (`register(Kind(...))`, in the module of the app
it belongs to) with its built-in templates: an HTML print template (a Django template
under templates/documents/, turned into PDF by WeasyPrint) and, where the document is
edited before a meeting, a Word template (`templates/documents/<key>.docx`, filled by
docxtpl). Staff may replace either in the admin (`chamber.models.DocumentTemplate`): a
replacement is accepted only if it renders the kind's sample, and the built-in one stays
the fallback.

Why WeasyPrint: the pages already are Django HTML templates; WeasyPrint lays out CJK
text with Pango and embeds the fonts it uses as CID subsets (never Type 3), so the
PDF's text is the source text, rare characters included (鲅鱼圈, 㙟). The fonts are
Debian's fonts-noto-cjk: Noto Serif CJK SC for the body (宋体 style), Noto Sans CJK SC
for headings (黑体 style); `check_fonts()` fails loudly (the test suite calls it) when
they are missing, rather than a user's download silently falling back.

A document never fetches anything: pictures (QR codes, the chamber's seal area) come as
data: URLs, and every other URL is refused, so a replaced template cannot reach out.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import get_template
from django.utils.functional import Promise

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "documents"
# The families the print stylesheet asks for (templates/documents/base.html).
FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class DocumentError(Exception):
    """A document cannot be made (a replaced template that fails, a font missing)."""


@dataclass(frozen=True)
class Kind:
    """One kind of document and its built-in templates."""

    key: str  # "monthly-report"; the built-in files are named after it
    label: Promise
    sample: Callable[[], dict]  # a context a replacement must render
    html: bool = True  # has a PDF (templates/documents/<key>.html)
    docx: bool = False  # has a Word file (templates/documents/<key>.docx)
    extra: Mapping = field(default_factory=dict)

    @property
    def html_template(self) -> str:
        return f"documents/{self.key}.html"

    @property
    def docx_path(self) -> Path:
        return TEMPLATES / f"{self.key}.docx"


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.key] = kind
    return kind


def choices() -> list[tuple[str, str]]:
    return [(k.key, str(k.label)) for k in KINDS.values()]


# --- the replacements staff uploaded ---------------------------------------------------


def _replacement(key: str, fmt: str) -> bytes | None:
    from chamber.models import DocumentTemplate

    found = (
        DocumentTemplate.objects.filter(key=key, format=fmt)
        .values_list("content", flat=True)
        .first()
    )
    return bytes(found) if found is not None else None


def built_in(key: str, fmt: str) -> bytes:
    """The built-in template's file, for staff to download and edit."""
    kind = KINDS[key]
    if fmt == "docx":
        return kind.docx_path.read_bytes()
    return (TEMPLATES / f"{key}.html").read_bytes()


# --- PDF -------------------------------------------------------------------------------


def html_of(key: str, context: dict, *, source: bytes | None = None) -> str:
    """The document's HTML: the replacement (or `source`), else the built-in template."""
    context = {"chamber_name": settings.CHAMBER_NAME, **context}
    source = source if source is not None else _replacement(key, "html")
    if source is None:
        return get_template(KINDS[key].html_template).render(context)
    engine = Engine.get_default()
    try:
        template = engine.from_string(source.decode("utf-8"))
    except (UnicodeDecodeError, TemplateSyntaxError) as exc:
        raise DocumentError(str(exc)) from exc
    return template.render(Context(context, autoescape=True))


def pdf_from_html(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(
        string=html, base_url=str(TEMPLATES), url_fetcher=_fetcher()
    ).write_pdf()


def _fetcher():
    """WeasyPrint's own fetcher, for data: URLs only: anything else is refused (a
    warning in the log) and the document is made without it."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)


def render_pdf(key: str, context: dict, *, source: bytes | None = None) -> bytes:
    """The document `key` as PDF (A4 unless its template says otherwise)."""
    return pdf_from_html(html_of(key, context, source=source))


# --- Word ------------------------------------------------------------------------------


def render_docx(key: str, context: dict, *, source: bytes | None = None) -> bytes:
    """The document `key` as .docx: the replacement (or `source`), else the built-in
    Word template, filled by docxtpl (Jinja2 sandboxed, every value escaped as text:
    a petition's "<" or a Word field code stays what the enterprise typed)."""
    from docxtpl import DocxTemplate
    from jinja2.sandbox import SandboxedEnvironment

    context = {"chamber_name": settings.CHAMBER_NAME, **context}
    source = source if source is not None else _replacement(key, "docx")
    stream = io.BytesIO(source) if source is not None else KINDS[key].docx_path
    try:
        document = DocxTemplate(stream)
        document.render(context, SandboxedEnvironment(), autoescape=True)
    except Exception as exc:  # a broken file or template: docxtpl raises many kinds
        raise DocumentError(str(exc)) from exc
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def check_replacement(key: str, fmt: str, content: bytes) -> None:
    """A replacement must render the kind's sample (raises DocumentError otherwise)."""
    kind = KINDS[key]
    if fmt == "docx":
        render_docx(key, kind.sample(), source=content)
    else:
        render_pdf(key, kind.sample(), source=content)


# --- fonts -----------------------------------------------------------------------------


def check_fonts() -> None:
    """The print fonts are installed (fc-list knows them), else DocumentError naming
    Debian's package. The test suite calls this: a missing font fails there."""
    try:
        listed = subprocess.run(
            ["fc-list", ":", "family"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise DocumentError("fontconfig (fc-list) is missing") from exc
    missing = [font for font in FONTS if font not in listed]
    if missing:
        raise DocumentError(
            f"fonts missing: {', '.join(missing)} (Debian package fonts-noto-cjk)"
        )


def download(content: bytes, *, filename: str, content_type: str):
    """The document as an attachment, named in Chinese (RFC 6266)."""
    from django.http import HttpResponse

    from chamber.uploads import content_disposition

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
