"""Article pictures: staff upload them (the editor's "Insert picture", the admin's cover),
the portal keeps only real pictures, and serves them so that nothing in them can run.

Every refusal is checked in the language a visitor of the site gets (zh-hans): the text
is looked up in the catalogue (`zh`), the English msgid while it is not translated yet.
"""

import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from publicity import services
from publicity.models import Article, ArticleKind, Picture
from tests.factories import MemberFactory
from tests.support.pictures import (
    GIF,
    NOT_PICTURES,
    PICTURES_ONLY,
    PICTURES_OR_PDF,
    png,
)
from tests.support.words import zh


def upload(name: str = "封面.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png() if content is None else content)


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


# --- the editor's upload --------------------------------------------------------------------


def test_staff_upload_a_picture_and_get_its_address(staff_client, staff, media):
    response = staff_client.post(
        reverse("publicity:picture_upload"), {"picture": upload("厂区全景.png")}
    )

    assert response.status_code == 201
    answer = response.json()
    picture = Picture.objects.get()
    assert answer == {"url": picture.get_absolute_url(), "name": "厂区全景.png"}
    assert re.fullmatch(r"/news/pictures/[0-9a-f-]{36}/", answer["url"])
    assert (picture.content_type, picture.uploaded_by) == ("image/png", staff)
    # Stored under a random name: nothing the uploader typed reaches the disk.
    (path,) = stored_files(media)
    assert "厂区全景" not in str(path) and path.suffix == ".png"
    served = Client().get(answer["url"])
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == png()


def test_the_upload_answers_in_json_even_with_the_csrf_check_on(staff):
    """The editor sends the form's token in X-CSRFToken; without it nothing is stored."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    browser.get(reverse("admin:publicity_article_add"))  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value

    refused = browser.post(reverse("publicity:picture_upload"), {"picture": upload()})
    accepted = browser.post(
        reverse("publicity:picture_upload"),
        {"picture": upload()},
        headers={"X-CSRFToken": token},
    )

    assert refused.status_code == 403
    assert accepted.status_code == 201 and accepted.json()["url"]
    assert Picture.objects.count() == 1


def test_a_member_cannot_upload_and_a_visitor_is_sent_to_log_in(client, db, media):
    client.force_login(MemberFactory().user)
    as_member = client.post(reverse("publicity:picture_upload"), {"picture": upload()})
    client.logout()
    as_visitor = client.post(reverse("publicity:picture_upload"), {"picture": upload()})

    assert as_member.status_code == 403
    assert as_visitor.status_code == 302
    assert as_visitor["Location"].startswith(reverse("login"))
    assert not Picture.objects.exists() and not stored_files(media)


def test_the_upload_takes_only_posts_and_asks_for_a_file(staff_client):
    assert staff_client.get(reverse("publicity:picture_upload")).status_code == 405

    response = staff_client.post(reverse("publicity:picture_upload"), {})

    assert response.status_code == 400
    assert response.json() == {"error": zh("Choose a picture to upload.")}


@pytest.mark.parametrize("kind", sorted(NOT_PICTURES))
def test_a_renamed_svg_html_or_pdf_is_refused_with_a_clear_message(
    staff_client, media, kind
):
    name, content = NOT_PICTURES[kind]

    response = staff_client.post(
        reverse("publicity:picture_upload"), {"picture": upload(name, content)}
    )

    assert response.status_code == 400
    assert response.json()["error"] in {zh(PICTURES_ONLY), zh(PICTURES_OR_PDF)}
    assert not Picture.objects.exists() and not stored_files(media)


def test_a_pdf_is_refused_as_a_picture_with_the_pictures_only_message(staff_client):
    name, content = NOT_PICTURES["pdf"]

    response = staff_client.post(
        reverse("publicity:picture_upload"), {"picture": upload(name, content)}
    )

    assert response.json() == {"error": zh(PICTURES_ONLY)}


def test_where_only_pictures_go_a_refusal_never_offers_pdf(staff_client, alice):
    """The editor's upload, the admin's cover and a showcase's photos all say "pictures
    only" for an SVG or HTML file, as they do for a PDF."""
    refusals = []
    for kind in ("svg", "html"):
        name, content = NOT_PICTURES[kind]
        refusals.append(
            staff_client.post(
                reverse("publicity:picture_upload"), {"picture": upload(name, content)}
            ).json()["error"]
        )
        refusals.append(
            staff_client.post(
                reverse("admin:publicity_article_add"),
                _article_form(cover_upload=upload(name, content)),
            ).content.decode()
        )
    member = Client()
    member.force_login(alice.user)
    name, content = NOT_PICTURES["svg"]
    refusals.append(
        member.post(
            reverse("publicity:my_showcase"),
            {"introduction": "简介", "new_photos": [upload(name, content)], "save": ""},
        ).content.decode()
    )

    for refusal in refusals:
        assert zh(PICTURES_ONLY) in refusal
        assert zh(PICTURES_OR_PDF) not in refusal


def test_an_empty_file_is_refused(staff_client):
    response = staff_client.post(
        reverse("publicity:picture_upload"), {"picture": upload("空.png", b"")}
    )

    assert response.status_code == 400
    assert response.json() == {"error": zh("The file is empty.")}


def test_a_picture_over_the_size_limit_is_refused(staff_client, settings, media):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024

    def picture_of(size: int) -> bytes:
        """A whole PNG of `size` bytes: a comment chunk fills it before IEND."""
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

    response = staff_client.post(
        reverse("publicity:picture_upload"),
        {"picture": upload("大图.png", picture_of(1024 * 1024 + 1))},
    )
    at_limit = staff_client.post(
        reverse("publicity:picture_upload"),
        {"picture": upload("刚好.png", picture_of(1024 * 1024))},
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": zh("The file is larger than %(limit)d MB.") % {"limit": 1}
    }
    assert at_limit.status_code == 201
    assert Picture.objects.count() == 1 and len(stored_files(media)) == 1


# --- serving ---------------------------------------------------------------------------------


def test_a_picture_is_served_as_what_it_is_with_nothing_that_could_run(staff_client):
    """A GIF called .png is served as a GIF; the page a picture makes runs nothing."""
    url = staff_client.post(
        reverse("publicity:picture_upload"), {"picture": upload("动图.png", GIF)}
    ).json()["url"]

    response = Client().get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = [p.strip() for p in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy and "default-src 'none'" in policy
    cache = {p.strip() for p in response["Cache-Control"].split(",")}
    assert {"public", "max-age=31536000", "immutable"} <= cache
    assert "attachment" not in response.get("Content-Disposition", "")
    assert b"".join(response.streaming_content) == GIF


def test_an_unknown_picture_is_404(client, db):
    unknown = "/news/pictures/0b0f7c1e-64a3-4c55-9f35-6a3b3bfb0a11/"

    assert client.get(unknown).status_code == 404
    assert client.get("/news/pictures/not-a-key/").status_code == 404


def test_a_picture_whose_file_is_gone_is_404_not_an_error(staff_client, media):
    url = staff_client.post(
        reverse("publicity:picture_upload"), {"picture": upload()}
    ).json()["url"]
    for path in stored_files(media):
        path.unlink()

    assert Client().get(url).status_code == 404


# --- the admin's article form ----------------------------------------------------------------


def _article_form(**fields) -> dict:
    kind = ArticleKind.objects.get(code="policy")
    return {
        "kind": kind.pk,
        "title": "稳岗补贴申领指南",
        "summary": "符合条件的企业可申领稳岗补贴。",
        "body": "<p>申领条件：依法参加失业保险。</p>",
        "awareness": [],
        "enterprise": "",
        "campaign": "",
        "published_at": "",
        "_save": "保存",
        **fields,
    }


def test_the_publish_time_is_one_field_a_phone_can_fill_in_beijing_time(staff_client):
    page = staff_client.get(reverse("admin:publicity_article_add")).content.decode()
    assert re.search(r'<input type="datetime-local" name="published_at"', page)
    assert 'name="published_at_0"' not in page
    assert re.search(r'<input type="checkbox" name="awareness"', page)

    response = staff_client.post(
        reverse("admin:publicity_article_add"),
        _article_form(published_at="2026-12-05T09:30"),
    )

    assert response.status_code == 302
    article = Article.objects.get(title="稳岗补贴申领指南")
    assert timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M %Z") == (
        "2026-12-05 09:30 CST"
    )


def test_the_admin_form_has_the_rich_text_editor(staff_client):
    page = staff_client.get(reverse("admin:publicity_article_add"))

    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r"<textarea[^>]*name=\"body\"[^>]*data-article-editor", html)
    assert f'data-picture-upload="{reverse("publicity:picture_upload")}"' in html
    assert f'data-picture-label="{zh("Insert picture")}"' in html
    assert re.search(r'<script[^>]*src="/static/js/article-editor\.js"', html)
    assert 'type="module"' in html
    assert "/static/vendor/prose-editor-0.28.0/editor.css" in html
    assert 'name="cover_upload"' in html
    # The editor works under the site's policy: scripts and styles of our own only.
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy


def article_url(article: Article) -> str:
    return reverse("publicity:article", args=[article.pk])


def test_an_article_with_a_cover_is_added_in_the_admin_and_shows_it_once_published(
    staff_client, staff, media
):
    response = staff_client.post(
        reverse("admin:publicity_article_add"),
        _article_form(cover_upload=upload("封面.png")),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get()
    assert article.cover is not None and article.created_by == staff
    assert article.cover.content_type == "image/png"
    assert len(stored_files(media)) == 1
    assert Client().get(article_url(article)).status_code == 404  # a draft

    services.publish_article(article=article, actor=staff)
    visitor = Client()
    page = visitor.get(article_url(article)).content.decode()
    cover = article.cover.get_absolute_url()
    assert re.search(
        rf'<img[^>]*class="[^"]*article-cover[^"]*"[^>]*src="{cover}"', page
    )
    assert f'<meta property="og:image" content="http://testserver{cover}">' in page
    assert "稳岗补贴申领指南" in page and "申领条件：依法参加失业保险。" in page
    assert f'src="{cover}"' in visitor.get(reverse("publicity:home")).content.decode()
    assert visitor.get(cover).status_code == 200


def test_a_new_cover_replaces_the_old_one_on_the_change_form(staff_client, staff):
    staff_client.post(
        reverse("admin:publicity_article_add"), _article_form(cover_upload=upload())
    )
    article = Article.objects.get()
    first = article.cover

    change = staff_client.get(
        reverse("admin:publicity_article_change", args=[article.pk])
    )
    assert first.get_absolute_url() in change.content.decode()  # the preview
    staff_client.post(
        reverse("admin:publicity_article_change", args=[article.pk]),
        _article_form(cover_upload=upload("新封面.gif", GIF)),
    )

    article.refresh_from_db()
    assert article.cover != first and article.cover.content_type == "image/gif"


@pytest.mark.parametrize("kind", ["html", "svg"])
def test_a_renamed_file_as_cover_is_refused_and_the_article_is_not_saved(
    staff_client, media, kind
):
    name, content = NOT_PICTURES[kind]

    response = staff_client.post(
        reverse("admin:publicity_article_add"),
        _article_form(cover_upload=upload(name, content)),
    )

    html = response.content.decode()
    assert response.status_code == 200  # the form again, with the reason
    (errors,) = re.findall(
        r'<ul class="errorlist"[^>]*id="id_cover_upload_error"[^>]*>(.*?)</ul>',
        html,
        re.S,
    )
    assert zh(PICTURES_ONLY) in errors or zh(PICTURES_OR_PDF) in errors
    assert 'value="稳岗补贴申领指南"' in html  # what was typed stays
    assert not Article.objects.exists()
    assert not Picture.objects.exists() and not stored_files(media)


def test_the_body_sent_by_the_editor_is_cleaned_before_it_is_stored(staff_client):
    body = (
        '<p>正文</p><script>alert(1)</script><img src="x" onerror="alert(1)">'
        '<figure><img src="/news/pictures/0b0f7c1e-64a3-4c55-9f35-6a3b3bfb0a11/" alt="图"></figure>'
    )

    staff_client.post(reverse("admin:publicity_article_add"), _article_form(body=body))

    stored = Article.objects.get().body
    assert "<script" not in stored and "onerror" not in stored
    assert (
        '<img src="/news/pictures/0b0f7c1e-64a3-4c55-9f35-6a3b3bfb0a11/" alt="图">'
        in stored
    )
