"""The QR posters on paper (issue 21): the studio door, an activity's sign-up and a
session's opinion form, as PDF in A4 and A3.

Each poster's QR code is read back from the PDF (the picture WeasyPrint embedded, decoded
by zxing-cpp) and must open the poster's URL; its printed size is the picture's width on
the page (the transformation it is drawn with) times the share of the picture the code
takes (zxing-cpp's corners): at least 80 mm on A4 and 110 mm on A3, to scan from a metre.
"""

import io
from dataclasses import dataclass

import pypdf
import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone, translation

from activities.models import ActivityType
from tests.factories import ActivityFactory

MM_PER_PT = 25.4 / 72
# Paper (width × height in mm) and the least width of the QR code on it.
SIZES = {"a4": ((210, 297), 80), "a3": ((297, 420), 110)}


@dataclass
class Poster:
    text: str
    page_mm: tuple[float, float]
    url: str  # what the QR code opens
    code_mm: float  # the printed width of the code itself (without its quiet zone)


def read_poster(content: bytes) -> Poster:
    reader = pypdf.PdfReader(io.BytesIO(content))
    (page,) = reader.pages
    placed = []

    def visit(operator, operands, cm, tm):
        if operator == b"Do":
            placed.append(abs(cm[0]) * MM_PER_PT)

    text = page.extract_text(visitor_operand_before=visit)
    (image,) = page.images
    picture = image.image.convert("L")
    (code,) = zxingcpp.read_barcodes(picture)
    corners = code.position
    code_px = max(corners.top_right.x, corners.bottom_right.x) - min(
        corners.top_left.x, corners.bottom_left.x
    )
    (width_mm,) = placed
    box = page.mediabox
    return Poster(
        text="".join(text.split()),
        page_mm=(float(box.width) * MM_PER_PT, float(box.height) * MM_PER_PT),
        url=code.text,
        code_mm=width_mm * code_px / picture.width,
    )


def get_pdf(client, staff, url: str, size: str):
    client.force_login(staff)
    with translation.override("zh-hans"):
        response = client.get(f"{url}?size={size}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    return read_poster(response.content)


def check(poster: Poster, size: str, url: str, *words: str) -> None:
    (paper_mm, least_mm) = SIZES[size]
    assert poster.page_mm == pytest.approx(paper_mm, abs=1)
    assert poster.url == url
    assert poster.code_mm >= least_mm
    for word in words:
        assert "".join(word.split()) in poster.text


@pytest.fixture
def chamber(settings):
    settings.CHAMBER_NAME = "营口市鲅鱼圈区工商联"
    return settings.CHAMBER_NAME


@pytest.mark.parametrize("size", ["a4", "a3"])
def test_the_studio_door_poster_opens_the_studio_form(client, staff, chamber, size):
    poster = get_pdf(client, staff, reverse("petitions:studio_poster_pdf"), size)

    check(
        poster,
        size,
        "http://testserver" + reverse("petitions:studio"),
        chamber,
        "扫码反映诉求",
    )


@pytest.mark.parametrize("size", ["a4", "a3"])
def test_an_activitys_poster_opens_its_sign_up_page(client, staff, chamber, size):
    activity = ActivityFactory(title="企业家会客厅·融资对接", place="鲅鱼圈区㙟子街道")

    poster = get_pdf(
        client, staff, reverse("activities:signup_poster_pdf", args=[activity.pk]), size
    )

    check(
        poster,
        size,
        "http://testserver" + activity.get_absolute_url(),
        chamber,
        "扫码报名",
        "企业家会客厅·融资对接",
        "鲅鱼圈区㙟子街道",
    )


@pytest.mark.parametrize("size", ["a4", "a3"])
def test_a_sessions_poster_opens_its_opinion_form(client, staff, chamber, size):
    from petitions import entry

    code = next(iter(entry.SESSION_CHANNELS))
    clinic, _new = ActivityType.objects.get_or_create(
        code=code, defaults={"name": "会诊日"}
    )
    activity = ActivityFactory(
        title="企业纾困会诊日", type=clinic, starts_at=timezone.now()
    )

    poster = get_pdf(
        client,
        staff,
        reverse("petitions:session_poster_pdf", args=[activity.pk]),
        size,
    )

    check(
        poster,
        size,
        "http://testserver" + reverse("petitions:session", args=[activity.pk]),
        chamber,
        "企业纾困会诊日",
    )


def test_a_poster_is_a4_unless_a3_is_asked_for(client, staff):
    poster = get_pdf(client, staff, reverse("petitions:studio_poster_pdf"), "a5")

    assert poster.page_mm == pytest.approx(SIZES["a4"][0], abs=1)


def test_the_html_posters_link_their_pdfs(client, staff):
    activity = ActivityFactory()
    client.force_login(staff)

    page = client.get(reverse("activities:signup_poster", args=[activity.pk]))

    pdf = reverse("activities:signup_poster_pdf", args=[activity.pk])
    assert f'href="{pdf}"' in page.content.decode()
    assert f'href="{pdf}?size=a3"' in page.content.decode()


def test_members_get_no_poster(client, alice):
    client.force_login(alice.user)

    assert client.get(reverse("petitions:studio_poster_pdf")).status_code == 403
