"""Write-up photos: pictures only (by content), served through a view that checks who may see them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.forms import ActivityPhotoForm
from activities.models import ActivityPhoto
from tests.factories import ActivityFactory

PNG = (  # a whole 1×1 picture: uploads are walked to their IEND chunk
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
    b"\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _form(activity, name: str, content: bytes) -> ActivityPhotoForm:
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    return ActivityPhotoForm(
        data={"caption": "合影", "sort_order": 0},
        files={"image": upload},
        instance=ActivityPhoto(activity=activity),
    )


def test_a_picture_is_stored_under_a_random_name_and_shown_on_the_activity(client, db):
    activity = ActivityFactory()
    form = _form(activity, "../../合影.png", PNG)
    assert form.is_valid(), form.errors
    photo = form.save()

    assert photo.content_type == "image/png"
    assert "合影" not in photo.image.name and ".." not in photo.image.name
    page = client.get(activity.get_absolute_url()).content.decode()
    assert photo.get_absolute_url() in page
    response = client.get(photo.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.png", b"<html><script>alert(1)</script></html>"),
        ("drawing.png", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
        ("minutes.png", b"%PDF-1.7\n" + b"\x00" * 32),
        ("empty.png", b""),
    ],
)
def test_anything_but_a_picture_is_refused_and_nothing_is_stored(db, name, content):
    activity = ActivityFactory()
    form = _form(activity, name, content)

    assert not form.is_valid()
    assert "image" in form.errors
    assert not ActivityPhoto.objects.exists()


def test_a_photo_of_a_draft_activity_is_not_served(client, db):
    activity = ActivityFactory()
    form = _form(activity, "a.png", PNG)
    assert form.is_valid()
    photo = form.save()
    activity.status = "draft"
    activity.save(update_fields=["status"])

    assert client.get(reverse("activities:photo", args=[photo.pk])).status_code == 404
