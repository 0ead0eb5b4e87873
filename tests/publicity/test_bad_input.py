"""IN-7 for the news pages: malformed and odd input never gives a server error."""

import pytest
from django.urls import reverse

from tests.support.pictures import png

ODD = [
    "\x00",
    "a\x00b",
    "x" * 5000,
    "😀\u200b\u202e",
    "%",
    "_",
    "' OR 1=1 --",
    "{{7*7}}",
]


@pytest.mark.parametrize("q", ODD)
@pytest.mark.parametrize("page", ["1", "abc", "-1", "99999999999999999999", "\x00"])
def test_search_with_odd_words_or_pages_answers_normally(client, db, q, page):
    response = client.get(reverse("publicity:search"), {"q": q, "page": page})

    assert response.status_code == 200


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999999999", "\x00"])
def test_lists_with_odd_pages_answer_normally(client, db, page):
    response = client.get(reverse("publicity:kind", args=["policy"]), {"page": page})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"introduction": "\x00"},
        {"introduction": "x" * 10000, "products": "y" * 10000},
        {"introduction": "简介", "website": "javascript:alert(1)"},
        {"introduction": "简介", "remove_photos": ["abc", "-1", "\x00"]},
        {"introduction": "简介", "is_listed": "maybe", "submit": ""},
    ],
)
def test_odd_showcase_posts_get_form_errors_never_a_server_error(client, alice, data):
    client.force_login(alice.user)

    response = client.post(reverse("publicity:my_showcase"), data)

    assert response.status_code in (302, 400, 404)


@pytest.mark.parametrize(
    "files",
    [{}, {"picture": b""}, {"picture": b"<svg onload=alert(1)>"}, {"picture": png()}],
)
def test_odd_picture_uploads_get_a_message_never_a_server_error(client, staff, files):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    data = {
        name: SimpleUploadedFile("a.png", content, content_type="image/png")
        for name, content in files.items()
    }

    response = client.post(reverse("publicity:picture_upload"), data)

    assert response.status_code in (201, 400)
    assert response.json()
