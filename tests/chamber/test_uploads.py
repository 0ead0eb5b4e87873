"""Uploads are judged by their content, their size and nothing the uploader typed."""

import re
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from chamber import uploads
from chamber.uploads import (
    CheckedFilesField,
    check_upload,
    clean_filename,
    content_disposition,
    detect_content_type,
)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data))
    )


PNG_HEAD = b"\x89PNG\r\n\x1a\n" + _chunk(
    b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
)
PNG = PNG_HEAD + _chunk(b"IDAT", zlib.compress(b"\x00\x00")) + _chunk(b"IEND", b"")
# SOI, a JFIF APP0 segment, a scan header (SOS), compressed data and EOI: its structure.
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
JPEG = (
    JPEG_HEAD
    + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
    + b"\x12\xff\x00\x34"
    + b"\xff\xd9"
)
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00"
    b"\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
_VP8 = b"WEBPVP8 " + struct.pack("<I", 10) + b"\x00" * 10
WEBP = b"RIFF" + struct.pack("<I", len(_VP8)) + _VP8
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
XML_SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (GIF, "image/gif"),
        (b"GIF87a" + GIF[6:], "image/gif"),
        (WEBP, "image/webp"),
        (PDF, "application/pdf"),
    ],
)
def test_pictures_and_pdf_are_recognised_by_their_first_bytes(content, expected):
    checked = check_upload(upload("whatever.bin", content))

    assert checked.content_type == expected
    assert detect_content_type(content[:16]) == expected
    assert checked.size == len(content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.png", HTML),
        ("logo.png", SVG),
        ("logo.svg", XML_SVG),
        ("report.pdf", b"MZ\x90\x00 a Windows program"),
        ("archive.jpg", b"PK\x03\x04 a zip file"),
        ("riff.webp", b"RIFF\x24\x00\x00\x00WAVEfmt "),
        ("text.pdf", b" %PDF-1.7 starts with a space"),
    ],
)
def test_anything_else_is_refused_whatever_its_name(name, content):
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(name, content))

    assert refused.value.code == "content_type"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as refused:
        check_upload(upload("empty.png", b""))

    assert refused.value.code == "empty"


def test_a_file_over_the_limit_is_refused_and_one_at_the_limit_passes(settings):
    settings.UPLOAD_MAX_BYTES = len(PDF) + 10

    check_upload(upload("ok.pdf", PDF + b"\x00" * 10))
    with pytest.raises(ValidationError) as refused:
        check_upload(upload("big.pdf", PDF + b"\x00" * 11))

    assert refused.value.code == "too_large"


def test_the_limit_is_ten_megabytes_unless_the_environment_says_otherwise(
    monkeypatch,
):
    import importlib

    from chamber import settings as settings_module

    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.delenv("UPLOAD_MAX_MB", raising=False)
    assert importlib.reload(settings_module).UPLOAD_MAX_BYTES == 10 * 1024 * 1024
    monkeypatch.setenv("UPLOAD_MAX_MB", "3")
    assert importlib.reload(settings_module).UPLOAD_MAX_BYTES == 3 * 1024 * 1024
    monkeypatch.delenv("UPLOAD_MAX_MB")
    importlib.reload(settings_module)


def test_a_picture_named_like_a_page_is_named_like_a_picture():
    checked = check_upload(upload("page.html", PNG))

    assert checked.content_type == "image/png"
    assert checked.name == "page.html.png"
    assert checked.suffix == ".png"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(PNG + HTML, id="png-then-html"),
        pytest.param(PNG + b"\x00", id="png-then-a-byte"),
        pytest.param(PNG_HEAD + HTML, id="png-header-then-html"),
        pytest.param(PNG[:-12], id="png-without-iend"),
        pytest.param(PNG[:-3], id="png-cut-short"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, id="png-signature-only"),
        pytest.param(PNG[:8] + _chunk(b"IDAT", b"") + PNG[8:], id="png-not-ihdr-first"),
        pytest.param(JPEG_HEAD + HTML, id="jpeg-header-then-html"),
        pytest.param(JPEG[:-2], id="jpeg-without-eoi"),
        pytest.param(b"\xff\xd8\xff\xd9" + HTML, id="jpeg-without-a-scan"),
        pytest.param(GIF + HTML, id="gif-then-html"),
        pytest.param(GIF[:-1], id="gif-without-trailer"),
        pytest.param(WEBP + HTML, id="webp-then-html"),
        pytest.param(WEBP[:-1], id="webp-cut-short"),
    ],
)
def test_a_polyglot_or_a_damaged_picture_is_refused(content):
    file = upload("photo.png", content)

    with pytest.raises(ValidationError) as refused:
        check_upload(file)

    assert refused.value.code == "malformed"
    with translation.override("zh-hans"):
        assert "已损坏" in refused.value.messages[0]
    assert file.tell() == 0


def test_bytes_after_a_jpegs_end_are_allowed_as_phones_put_a_motion_photo_there():
    motion_photo = JPEG + b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64

    assert check_upload(upload("动态照片.jpg", motion_photo)).content_type == (
        "image/jpeg"
    )


def test_a_polyglot_is_refused_as_a_picture_too():
    with pytest.raises(ValidationError) as refused:
        uploads.check_picture(upload("cover.png", PNG + HTML))

    assert refused.value.code == "malformed"


def test_the_reading_position_is_left_at_the_start():
    file = upload("a.pdf", PDF)

    check_upload(file)

    assert file.read() == PDF


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("C:\\Users\\王\\照片.png", "照片.png"),
        ("a\x00b.png", "ab.png"),
        ("bad\x07\x1b[31mname.png", "bad[31mname.png"),
        ("invoice\u202egnp.pdf", "invoicegnp.pdf"),
        ("zero\u200bwidth.png", "zerowidth.png"),
        ("line\nbreak\ttab.png", "line break tab.png"),
        ("..", "file"),
        ("", "file"),
        ("   .hidden.png", "hidden.png"),
        ("营业执照.PNG", "营业执照.PNG"),
    ],
)
def test_file_names_are_cleaned_for_display(given, shown):
    assert clean_filename(given) == shown


def test_a_name_without_the_right_suffix_gets_it():
    assert clean_filename("scan", "application/pdf") == "scan.pdf"
    assert clean_filename("photo.jpeg", "image/jpeg") == "photo.jpeg"
    assert clean_filename("photo.png", "image/jpeg") == "photo.png.jpg"


def test_a_very_long_unicode_name_is_cut_keeping_its_suffix():
    name = clean_filename("营口" * 200 + ".pdf", "application/pdf")

    assert len(name) == uploads.MAX_NAME_LENGTH
    assert name.endswith(".pdf")
    assert name.startswith("营口营口")


def test_the_download_header_has_an_ascii_fallback_and_the_utf8_name():
    header = content_disposition("营业执照 2025.pdf")

    assert header.startswith("attachment; ")
    assert 'filename="____ 2025.pdf"' in header
    assert "filename*=utf-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%202025.pdf" in header


def test_the_download_header_cannot_be_broken_out_of():
    header = content_disposition('a"; filename="evil.html\r\nX-Injected: 1.pdf')

    assert "\r" not in header and "\n" not in header
    fallback = re.search(r'filename="([^"]*)"', header).group(1)
    assert '"' not in fallback
    assert header.count('filename="') == 1


def _field_clean(field: CheckedFilesField, files: list):
    data = MultiValueDict({"files": files})
    return field.clean(field.widget.value_from_datadict({}, data, "files"))


def test_the_multiple_file_field_returns_every_checked_file():
    field = CheckedFilesField(required=False, max_files=3)

    files = _field_clean(field, [upload("a.png", PNG), upload("b.pdf", PDF)])

    assert [f.name for f in files] == ["a.png", "b.pdf"]
    assert _field_clean(field, []) == []
    assert " multiple" in field.widget.render("files", None)


def test_the_multiple_file_field_names_each_refused_file():
    field = CheckedFilesField(required=False, max_files=3)

    with pytest.raises(ValidationError) as refused:
        _field_clean(
            field,
            [upload("ok.png", PNG), upload("page.png", HTML), upload("nil.png", b"")],
        )

    messages = refused.value.messages
    assert len(messages) == 2
    assert messages[0].startswith("page.png")
    assert messages[1].startswith("nil.png")


def test_the_multiple_file_field_refuses_too_many_files():
    field = CheckedFilesField(required=False, max_files=2)

    with pytest.raises(ValidationError) as refused:
        _field_clean(field, [upload(f"{i}.png", PNG) for i in range(3)])

    assert refused.value.code == "too_many"


def test_the_messages_are_in_chinese():
    with translation.override("zh-hans"):
        for content in (b"", HTML, PNG + HTML):
            with pytest.raises(ValidationError) as refused:
                check_upload(upload("x.png", content))
            assert re.search(r"[\u4e00-\u9fff]", refused.value.messages[0])
