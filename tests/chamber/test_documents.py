"""Paper's one way (chamber/documents.py): PDFs with their fonts embedded and their
text intact, nothing fetched from outside, and templates staff replace in the admin
only when the replacement still makes the document."""

import io

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from chamber import documents
from chamber.models import DocumentTemplate

RARE = "鲅鱼圈区 㙟 营口市西市区工商联"

NOTE = """{% extends "documents/base.html" %}{% block body %}<h1>{{ chamber_name }}</h1>
<p class="text">{{ text }}</p>{% endblock %}"""


@pytest.fixture
def note_kind(monkeypatch):
    """A kind of document for these tests: its built-in template is the base layout."""
    kind = documents.Kind("base", "便笺", sample=lambda: {"text": "样张"})
    monkeypatch.setitem(documents.KINDS, "base", kind)
    return kind


def pdf_text(content: bytes) -> str:
    return "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages
    )


def fonts_of(content: bytes) -> list[tuple[str, str]]:
    found = []
    for page in pypdf.PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            found.append((str(font["/Subtype"]), str(font["/BaseFont"])))
    return found


def test_the_print_fonts_are_installed():
    documents.check_fonts()  # a missing font fails here, not in a user's download


def test_a_pdf_embeds_its_fonts_and_keeps_rare_characters(db, note_kind):
    content = documents.render_pdf("base", {"text": RARE}, source=NOTE.encode())

    assert content.startswith(b"%PDF")
    assert RARE in pdf_text(content)
    fonts = fonts_of(content)
    assert fonts and all(subtype == "/Type0" for subtype, _name in fonts)  # no Type 3
    assert all("Noto" in name and "CJK" in name for _subtype, name in fonts)


def test_html_and_field_codes_in_the_text_are_printed_as_text(db, note_kind):
    typed = "<b>加粗</b> { MERGEFIELD 企业 } =1+1"
    content = documents.render_pdf("base", {"text": typed}, source=NOTE.encode())

    assert typed in pdf_text(content)


def test_a_document_fetches_nothing_from_outside(db, note_kind, httpserver):
    httpserver.expect_request("/logo.png").respond_with_data(b"", status=404)
    image, sheet = httpserver.url_for("/logo.png"), httpserver.url_for("/x.css")
    reaching = NOTE.replace(
        "<h1>", f'<img src="{image}"><link rel="stylesheet" href="{sheet}"><h1>'
    )
    content = documents.render_pdf("base", {"text": "正文"}, source=reaching.encode())

    assert "正文" in pdf_text(content)  # made, without what it tried to fetch
    assert httpserver.log == []  # and nothing was asked of the server


def test_the_chamber_name_comes_from_the_settings(db, note_kind, settings):
    settings.CHAMBER_NAME = "营口市鲅鱼圈区工商联"
    content = documents.render_pdf("base", {"text": "x"}, source=NOTE.encode())

    assert "营口市鲅鱼圈区工商联" in pdf_text(content)


def upload(client, content: bytes, name: str = "便笺.html"):
    return client.post(
        reverse("admin:chamber_documenttemplate_add"),
        {
            "key": "base",
            "format": "html",
            "upload": SimpleUploadedFile(name, content, content_type="text/html"),
        },
    )


def test_a_replacement_that_cannot_make_the_document_is_refused(
    db, note_kind, client, staff
):
    client.force_login(staff)
    with translation.override("zh-hans"):
        response = upload(
            client,
            b"{% extends 'documents/base.html' %}{% block body %}{% if %}{% endblock %}",
        )

    assert response.status_code == 200
    assert "该模板无法生成文件" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_an_accepted_replacement_is_used_and_deleting_it_brings_the_built_in_back(
    db, note_kind, client, staff
):
    client.force_login(staff)
    response = upload(client, NOTE.replace("<h1>", "<h1>替换：").encode())
    assert response.status_code == 302
    replaced = DocumentTemplate.objects.get()
    assert (replaced.uploaded_by, replaced.file_name) == (staff, "便笺.html")
    assert replaced.history.first().history_user == staff

    assert "替换：" in pdf_text(documents.render_pdf("base", {"text": "x"}))

    replaced.delete()
    assert "替换：" not in pdf_text(documents.render_pdf("base", {"text": "x"}))


def test_staff_download_the_built_in_template_to_edit(db, note_kind, client, staff):
    client.force_login(staff)
    response = client.get(
        reverse("admin:chamber_documenttemplate_built_in", args=["base", "html"])
    )

    assert response.status_code == 200
    assert b"@page" in response.content
    assert response["Content-Disposition"].startswith("attachment")
    missing = client.get(
        reverse("admin:chamber_documenttemplate_built_in", args=["nothing", "html"])
    )
    assert missing.status_code == 404
