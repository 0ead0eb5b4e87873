"""Text typed by hand into an admin autocomplete field is a form error, not a server error.

Django's AutocompleteSelect looks the posted value up as the related row's key when it
shows a refused form again; text there was a ValueError (a 500). chamber/admin_widgets.py
drops what the key cannot hold before the lookup (IN-7).
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from chamber.models import Official
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

VALUES = ["甲", "<script>alert(1)</script>", "1e3", str(10**30), "-1", "1; DROP TABLE"]


@pytest.mark.parametrize("typed", VALUES)
def test_text_in_an_autocomplete_field_gets_the_chinese_form_error(typed):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    department = DepartmentFactory()
    client = Client(raise_request_exception=False)
    client.force_login(root)

    response = client.post(
        reverse("admin:chamber_official_add"),
        {"user": typed, "department": department.pk, "position": "科长"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 200
    with translation.override("zh-hans"):
        message = gettext(
            "Select a valid choice. That choice is not one of the available choices."
        )
    assert message in response.content.decode()
    assert not Official.objects.exists()


def test_a_real_choice_is_still_shown_selected_when_another_field_is_wrong():
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    official_user = UserFactory(full_name="李科长")
    client = Client(raise_request_exception=False)
    client.force_login(root)

    response = client.post(
        reverse("admin:chamber_official_add"),
        {"user": official_user.pk, "department": "教育局"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<option value="{official_user.pk}" selected>' in page
    assert not Official.objects.exists()
