"""What the secretariat would hit in the first week (issue 16, items 11, 14 and 15).

- item 14: the admin's JavaScript widgets speak Chinese (the five-awareness picker of an
  activity is Django's filter_horizontal: its texts come from /admin/jsi18n/); the beat
  schedule's models sit under one 定时任务 heading that only superusers see;
- item 15: a phone number keeps the form it was written in, and is still checked;
- item 11: a week's span is its working days (chamber.workdays.week_span).
"""

import json
import re
from datetime import date
from pathlib import Path

import django
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chamber import workdays
from chamber.models import WorkdayOverride
from chamber.phone import normalise_phone, tidy_phone, validate_office_phone
from tests.factories import StaffFactory
from tests.support.words import zh

SELECT_FILTER = (
    Path(django.__file__).parent / "contrib/admin/static/admin/js/SelectFilter2.js"
)
BEAT_MODELS = [
    "periodictask",
    "crontabschedule",
    "intervalschedule",
    "solarschedule",
    "clockedschedule",
]


# --- item 14: the admin's widget texts in Chinese ---------------------------------------


def _admin_js_catalog(client) -> dict:
    """The catalogue the admin's pages load, as a Chinese-reading staff member gets it."""
    client.force_login(StaffFactory())
    source = client.get(reverse("admin:jsi18n")).content.decode()
    found = re.search(r"const newcatalog = (\{.*?\});", source, re.S)
    return json.loads(found.group(1))


def _widget_texts() -> set[str]:
    """Every text the picker (filter_horizontal) passes to gettext()."""
    source = SELECT_FILTER.read_text()
    return {text for _quote, text in re.findall(r"gettext\((['\"])(.+?)\1\)", source)}


def test_every_text_of_the_admins_picker_is_in_chinese(client, db):
    catalog = _admin_js_catalog(client)

    texts = _widget_texts()
    assert 'Choose %s by selecting them and then select the "Choose" arrow button.' in (
        texts
    )
    missing = sorted(t for t in texts if not catalog.get(t))
    assert missing == []
    assert catalog["Choose all %s"] == "选择全部%s"
    assert catalog["Remove all %s"] == "移除全部%s"
    for text in texts:
        assert re.search(r"[\u4e00-\u9fff]", catalog[text]), text


# --- item 14: the beat schedule under one heading, for superusers -----------------------


def _admin_index(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("admin:index")).content.decode()


def test_the_schedules_models_sit_under_one_scheduled_tasks_heading(client, db):
    html = _admin_index(client, StaffFactory(is_superuser=True))

    assert zh("Scheduled tasks") == "定时任务"
    section = re.search(
        r'<div class="app-django_celery_beat module.*?</table>', html, re.S
    ).group(0)
    assert "定时任务" in section
    for model in BEAT_MODELS:
        assert f"/admin/django_celery_beat/{model}/" in section
    assert html.count("app-django_celery_beat module") == 1
    assert "周期任务" not in html


def test_ordinary_staff_neither_see_nor_open_the_schedule(client, db):
    staff = StaffFactory()

    html = _admin_index(client, staff)

    assert "django_celery_beat" not in html
    assert "定时任务" not in html
    for model in BEAT_MODELS:
        url = reverse(f"admin:django_celery_beat_{model}_changelist")
        assert client.get(url).status_code == 403
    dashboard = client.get(reverse("staff_dashboard")).content.decode()
    assert "django_celery_beat" not in dashboard
    assert not staff.has_perm("django_celery_beat.change_periodictask")


def test_a_superuser_finds_the_schedule_from_the_staff_dashboard(client, db):
    client.force_login(StaffFactory(is_superuser=True))

    dashboard = client.get(reverse("staff_dashboard")).content.decode()

    assert reverse("admin:django_celery_beat_periodictask_changelist") in dashboard


# --- item 15: phone numbers as written --------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("0417-2800001", "0417-2800001"),
        ("  0417-2800001 ", "0417-2800001"),
        ("０４１７－２８００００１", "0417-2800001"),
        ("（0417）2800001", "(0417)2800001"),
        ("+86  138 1234  5678", "+86 138 1234 5678"),
        ("0417-2800001转806", "0417-2800001转806"),
    ],
)
def test_a_phone_keeps_the_form_it_was_written_in(typed, kept):
    assert tidy_phone(typed) == kept
    validate_office_phone(tidy_phone(typed))


def test_the_digits_of_a_phone_written_with_a_hyphen_are_still_compared(db):
    assert normalise_phone(tidy_phone("0417-2800001")) == "04172800001"
    with pytest.raises(ValidationError):
        validate_office_phone(tidy_phone("0417-28"))


# --- item 11: a week's span is its working days -----------------------------------------


@pytest.mark.parametrize(
    ("day", "span"),
    [
        (date(2026, 3, 4), (date(2026, 3, 2), date(2026, 3, 6))),
        (date(2026, 10, 11), (date(2026, 10, 8), date(2026, 10, 10))),  # National Day
        (date(2026, 2, 18), None),  # the Spring Festival week has no working day
    ],
)
def test_a_weeks_span_is_its_first_and_last_working_day(db, day, span):
    assert workdays.week_span(day) == span


def test_a_day_off_entered_by_staff_shortens_the_span(db):
    WorkdayOverride.objects.create(day=date(2026, 3, 6), is_working_day=False)

    assert workdays.week_span(date(2026, 3, 2)) == (date(2026, 3, 2), date(2026, 3, 5))
