"""Bad files sent through the real pages are refused in Chinese and leave nothing behind.

Four pages take files: a member's petition form (attachments), the staff's entry of a
petition from a paper opinion form (its scan, `petitions:staff_new`), the article
editor's picture upload, and a member's showcase page (photos). Each is sent, as a
browser sends it (the file names reach the server as typed), a file over the limit,
a program and an Office file, an HTML page and an SVG drawing named like a picture and
a PNG with an HTML page after it (a polyglot): the page answers with its form and a
Chinese reason (never a 500), and no row and no file is written. A whole picture with
a name holding folders, a NUL or 300 Chinese characters is kept under a random name,
its given name cleaned for display. A stored file is served only by its page: a
download as an attachment with `nosniff`, a picture with `nosniff` and a sandbox; to
anyone else it is a 404, and nothing is served from MEDIA_URL.
"""

import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from chamber.uploads import MAX_NAME_LENGTH, StoredUpload
from petitions.models import Petition, PetitionAttachment
from publicity.models import Picture, ShowcasePhoto
from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    MemberFactory,
    OfficialFactory,
)
from tests.support.pages import as_user
from tests.support.pictures import png
from tests.support.words import zh

LIMIT = 1024 * 1024
HTML = (
    b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
TOO_LARGE = "The file is larger than %(limit)d MB."
PICTURES_OR_PDF = (
    "Only pictures (PNG, JPEG, GIF, WebP) and PDF documents can be uploaded, and "
    "this file is neither, whatever its name says."
)
PICTURES_ONLY = (
    "Only pictures (PNG, JPEG, GIF, WebP) can be uploaded here, and this file is "
    "not one, whatever its name says."
)
DAMAGED = (
    "This picture is damaged or has something else appended to it; save it again "
    "as a picture and upload that."
)
LONG_NAME = "营口市西市区工商业联合会企业诉求现场照片" * 15 + ".png"  # 300 characters


def picture_of(size: int) -> bytes:
    """A whole PNG of exactly `size` bytes: a comment chunk fills it before IEND."""
    head, end = png()[:-12], png()[-12:]
    text = b"Comment\x00" + b"x" * (size - len(head) - len(end) - 20)
    crc = zlib.crc32(b"tEXt" + text)
    return (
        head
        + struct.pack(">I", len(text))
        + b"tEXt"
        + text
        + struct.pack(">I", crc)
        + end
    )


# kind → (name as typed, content, the refusal for pages that take PDFs too, for picture pages)
BAD_FILES = {
    "over the limit": ("大图.png", picture_of(LIMIT + 1), TOO_LARGE, TOO_LARGE),
    "a program": (
        "setup.exe",
        b"MZ\x90\x00\x03\x00\x00\x00 a program",
        PICTURES_OR_PDF,
        PICTURES_ONLY,
    ),
    "an office file": (
        "意见表.docx",
        b"PK\x03\x04\x14\x00 a zip",
        PICTURES_OR_PDF,
        PICTURES_ONLY,
    ),
    "html named png": ("../../现场照片.png", HTML, PICTURES_OR_PDF, PICTURES_ONLY),
    "svg named png": ("logo.png", SVG, PICTURES_OR_PDF, PICTURES_ONLY),
    "png+html polyglot": ("page.html.png", png() + HTML, DAMAGED, DAMAGED),
    "bad name, html": ("..\\..\\win\x00.ini.png", HTML, PICTURES_OR_PDF, PICTURES_ONLY),
    "long name, svg": (LONG_NAME, SVG, PICTURES_OR_PDF, PICTURES_ONLY),
}
# name as typed → as shown
BAD_NAMES = {
    "../../etc/passwd.png": "passwd.png",
    "..\\..\\win\x00.ini.png": "win.ini.png",
    LONG_NAME: LONG_NAME[: MAX_NAME_LENGTH - 4] + ".png",
}


def multipart(fields: dict, field: str, files: list[tuple[str, bytes]]):
    """A form body built by hand, so the file names reach the server as typed."""
    boundary = "chamber-upload-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    for name, content in files:
        head = (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{field}"; filename="{name}"\r\nContent-Type: image/png\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@dataclass
class Page:
    """A page that takes files, and who may see what it stores."""

    model: type[StoredUpload]
    folder: str
    pictures_only: bool
    refused_status: int
    one_file_a_post: bool
    send: Callable[[list[tuple[str, bytes]]], object]
    owner: Client  # uploads, and may get the file
    others: list[Client]  # must get a 404
    is_download: bool  # an attachment to save (else a picture shown in a page)

    def served(self, row) -> str:
        if self.is_download:
            return reverse("petitions:attachment", args=[row.pk])
        return row.get_absolute_url()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_MAX_BYTES = LIMIT
    return settings.MEDIA_ROOT


@pytest.fixture(
    params=[
        "petition attachment",
        "opinion form scan",
        "article picture",
        "showcase photo",
    ]
)
def page(request, db, media, alice, bob, staff) -> Page:
    alice_client, bob_client, staff_client = (
        as_user(alice.user),
        as_user(bob.user),
        as_user(staff),
    )
    # An official of a department the petition never went to.
    stranger = as_user(OfficialFactory(department=DepartmentFactory()).user)

    def post(client: Client, url: str, fields: dict, field: str):
        def send(files):
            body, content_type = multipart(fields, field, files)
            return client.post(url, body, content_type=content_type)

        return send

    petition = {
        "title": "厂区供电不稳定",
        "description": "见附件。",
        "contact_name": "王会计",
        "contact_phone": "13812345678",
    }
    if request.param == "petition attachment":
        return Page(
            PetitionAttachment,
            "petitions",
            False,
            200,
            False,
            post(alice_client, reverse("petitions:submit"), petition, "files"),
            alice_client,
            [bob_client, stranger],
            True,
        )
    if request.param == "opinion form scan":
        fields = {
            **petition,
            "channel": Petition.Channel.OPINION_FORM,
            "enterprise": alice.enterprise.pk,
            "contact_name": "张三",
        }
        return Page(
            PetitionAttachment,
            "petitions",
            False,
            200,
            False,
            post(staff_client, reverse("petitions:staff_new"), fields, "files"),
            staff_client,
            [
                bob_client,
                stranger,
                as_user(MemberFactory(enterprise=EnterpriseFactory()).user),
            ],
            True,
        )
    if request.param == "article picture":
        return Page(
            Picture,
            "publicity/images",
            True,
            400,
            True,
            post(staff_client, reverse("publicity:picture_upload"), {}, "picture"),
            staff_client,
            [],  # an article's pictures are public at their unguessable address
            False,
        )
    fields = {"introduction": "甲公司专注精密铸件。", "products": "", "website": ""}
    fields |= {"is_listed": "on", "submit": ""}
    return Page(
        ShowcasePhoto,
        "publicity/showcases",
        True,
        400,
        False,
        post(alice_client, reverse("publicity:my_showcase"), fields, "new_photos"),
        alice_client,
        [bob_client, Client()],  # waiting for approval: its enterprise and staff only
        False,
    )


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_gets_a_chinese_form_error_and_nothing_is_written(page, media, kind):
    name, content, refusal, picture_refusal = BAD_FILES[kind]
    petitions_before = Petition.objects.count()

    response = page.send([(name, content)])

    assert response.status_code == page.refused_status
    message = zh(picture_refusal if page.pictures_only else refusal) % {
        "limit": LIMIT // (1024 * 1024)
    }
    body = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        assert response.json() == {"error": message}
    else:
        assert escape(message) in body
        assert "<form" in body
    assert re.search(r"[\u4e00-\u9fff]", message)
    assert not page.model.objects.exists()
    assert Petition.objects.count() == petitions_before
    assert not ShowcasePhoto.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(  # the editor sends one picture a request
    "page",
    ["petition attachment", "opinion form scan", "showcase photo"],
    indirect=True,
)
def test_a_bad_file_among_good_ones_saves_none_of_them(page, media):
    response = page.send([("好.png", png()), ("坏.png", png() + HTML)])

    assert response.status_code == page.refused_status
    assert escape(zh(DAMAGED)) in response.content.decode()
    assert not page.model.objects.exists()
    assert stored_files(media) == []


def _send_good(page: Page, names: list[str]) -> list:
    if page.one_file_a_post:
        for name in names:
            assert page.send([(name, png())]).status_code == 201
    else:
        response = page.send([(name, png()) for name in names])
        assert response.status_code == 302, response.content.decode()[:2000]
    return list(page.model.objects.order_by("pk"))


def test_names_with_folders_nul_or_great_length_are_cleaned_and_never_reach_the_disk(
    page, media
):
    rows = _send_good(page, list(BAD_NAMES))

    assert [row.original_name for row in rows] == list(BAD_NAMES.values())
    assert len(rows[2].original_name) == MAX_NAME_LENGTH
    stored = re.compile(rf"^{page.folder}/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.png$")
    for row in rows:
        assert stored.match(row.file.name), row.file.name
    paths = stored_files(media)
    assert len(paths) == 3
    for path in paths:
        assert path.resolve().is_relative_to(media.resolve())
        assert path.read_bytes() == png()


def test_the_stored_file_is_served_safely_by_its_page_only(page, media, settings):
    (row,) = _send_good(page, ["现场照片.png"])
    url = page.served(row)

    response = page.owner.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    if page.is_download:
        assert response["Content-Disposition"].startswith("attachment; ")
        assert "filename*=utf-8''%E7%8E%B0" in response["Content-Disposition"]
    else:
        assert "sandbox" in response["Content-Security-Policy"]
    for other in page.others:
        assert other.get(url).status_code == 404
    if page.is_download:
        visitor = Client().get(url)
        assert visitor.status_code == 302
        assert visitor["Location"].startswith(reverse("login"))
    assert page.owner.get(settings.MEDIA_URL + row.file.name).status_code == 404
    assert Client().get(settings.MEDIA_URL + row.file.name).status_code == 404
