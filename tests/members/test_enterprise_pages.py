"""My enterprise: members see every detail and keep the introduction and contacts up to date."""

import re
from datetime import date
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from members.forms import EnterpriseContactForm
from members.models import Area, Enterprise
from tests.factories import EnterpriseFactory, IndustryFactory
from tests.support.words import zh_marked

XSS = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
VALID = {
    "introduction": "主营港口装备制造与维修。",
    "phone": "0417-2812345",
    "website": "https://liaohe.example.cn/",
    "address": "西市区渤海大街西12号",
}


def _page(enterprise: Enterprise) -> str:
    return reverse("members:enterprise", args=[enterprise.pk])


def _edit(enterprise: Enterprise) -> str:
    return reverse("members:enterprise_edit", args=[enterprise.pk])


def _row(enterprise: Enterprise) -> dict:
    return Enterprise.objects.filter(pk=enterprise.pk).values().get()


@pytest.fixture
def alice_in(client, alice):
    client.force_login(alice.user)
    return client


@pytest.fixture
def full_enterprise(alice):
    enterprise = alice.enterprise
    enterprise.industry = IndustryFactory(name="装备制造")
    enterprise.area = Area.COASTAL
    enterprise.legal_representative = "张晓明"
    enterprise.size = Enterprise.Size.MEDIUM
    enterprise.joined_on = date(2022, 3, 15)
    enterprise.address = "沿海产业基地装备园16号"
    enterprise.phone = "04172812345"
    enterprise.website = "https://jia.example.cn/"
    enterprise.introduction = "甲公司专注港口机械。\n第二行。"
    enterprise.status = Enterprise.Status.SUSPENDED
    enterprise.save()
    return enterprise


def test_member_sees_every_detail_of_their_enterprise(alice_in, full_enterprise):
    response = alice_in.get(_page(full_enterprise))

    assert response.status_code == 200
    for text in [
        full_enterprise.name,
        full_enterprise.credit_code,
        "装备制造",
        "张晓明",
        "2022-03-15",
        "沿海产业基地装备园16号",
        "04172812345",
        "https://jia.example.cn/",
        "甲公司专注港口机械。<br>第二行。",
    ]:
        assertContains(response, text)
    with translation.override("zh-hans"):
        for label in [Area.COASTAL.label, Enterprise.Size.MEDIUM.label]:
            assertContains(response, escape(str(label)))
        assertContains(response, escape(str(Enterprise.Status.SUSPENDED.label)))
    for msgid in [
        "unified social credit code",
        "legal representative",
        "introduction",
        "Edit the introduction and contacts",
    ]:
        assertContains(response, escape(zh_marked(msgid)))
    assertContains(response, f'href="{_edit(full_enterprise)}"')


def test_enterprise_never_changed_by_a_member_shows_no_last_change(alice_in, alice):
    response = alice_in.get(_page(alice.enterprise))

    assertNotContains(
        response, escape(zh_marked("Last changed %(when)s").split("%")[0])
    )


def test_edit_form_shows_the_current_introduction_and_contacts(
    alice_in, full_enterprise
):
    response = alice_in.get(_edit(full_enterprise))

    assert response.status_code == 200
    assert list(response.context["form"].fields) == [
        "introduction",
        "phone",
        "website",
        "address",
    ]
    assertContains(response, "甲公司专注港口机械。")
    assertContains(response, 'value="https://jia.example.cn/"')
    assertContains(response, escape(zh_marked("Save")))


def test_member_edits_introduction_and_contacts_and_the_page_says_when(alice_in, alice):
    enterprise = alice.enterprise
    started = timezone.now()

    response = alice_in.post(_edit(enterprise), VALID)

    assertRedirects(response, _page(enterprise), fetch_redirect_response=False)
    enterprise.refresh_from_db()
    assert enterprise.introduction == VALID["introduction"]
    assert enterprise.phone == "0417-2812345"
    assert enterprise.website == "https://liaohe.example.cn/"
    assert enterprise.address == VALID["address"]
    assert enterprise.updated_by == alice.user
    assert started <= enterprise.updated_at <= timezone.now()

    page = alice_in.get(response.url)

    assertContains(page, escape(zh_marked("The enterprise's details were saved.")))
    when = timezone.localtime(enterprise.updated_at).strftime("%Y-%m-%d %H:%M")
    assertContains(page, escape(zh_marked("Last changed %(when)s") % {"when": when}))
    assertContains(page, "主营港口装备制造与维修。")


def test_website_without_scheme_is_saved_as_https(alice_in, alice):
    response = alice_in.post(
        _edit(alice.enterprise), {**VALID, "website": "liaohe.example.cn"}
    )

    assert response.status_code == 302
    alice.enterprise.refresh_from_db()
    assert alice.enterprise.website == "https://liaohe.example.cn"


def test_member_may_clear_the_contacts(alice_in, full_enterprise):
    empty = {"introduction": "", "phone": "", "website": "", "address": ""}

    response = alice_in.post(_edit(full_enterprise), empty)

    assert response.status_code == 302
    full_enterprise.refresh_from_db()
    assert (
        full_enterprise.introduction,
        full_enterprise.phone,
        full_enterprise.website,
        full_enterprise.address,
    ) == ("", "", "", "")


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("page", [_page, _edit], ids=["page", "edit"])
def test_another_enterprises_pages_are_not_found_and_unchanged(
    alice_in, bob, method, page
):
    before = _row(bob.enterprise)

    response = getattr(alice_in, method)(page(bob.enterprise), VALID)

    assert response.status_code == 404
    assert _row(bob.enterprise) == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_enterprise_without_members_or_that_does_not_exist_is_not_found(
    alice_in, method
):
    lonely = EnterpriseFactory()
    before = _row(lonely)

    assert getattr(alice_in, method)(_edit(lonely), VALID).status_code == 404
    assert getattr(alice_in, method)(_page(lonely), VALID).status_code == 404
    assert (
        getattr(alice_in, method)(
            reverse("members:enterprise_edit", args=[lonely.pk + 1000]), VALID
        ).status_code
        == 404
    )
    assert _row(lonely) == before


@pytest.mark.parametrize("persona", ["official", "leader", "staff"])
def test_users_without_member_record_are_forbidden(client, request, alice, persona):
    person = request.getfixturevalue(persona)
    client.force_login(getattr(person, "user", person))
    before = _row(alice.enterprise)

    assert client.get(_page(alice.enterprise)).status_code == 403
    assert client.post(_edit(alice.enterprise), VALID).status_code == 403
    assert _row(alice.enterprise) == before


def test_anonymous_user_is_sent_to_the_login_page_and_nothing_changes(client, alice):
    before = _row(alice.enterprise)

    response = client.post(_edit(alice.enterprise), VALID)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert _row(alice.enterprise) == before


def test_form_ignores_fields_that_stay_with_the_secretariat(alice_in, alice, bob):
    enterprise = alice.enterprise
    before = _row(enterprise)
    other_industry = IndustryFactory(name="房地产")

    response = alice_in.post(
        _edit(enterprise),
        {
            **VALID,
            "credit_code": bob.enterprise.credit_code,
            "area": Area.FTZ,
            "status": Enterprise.Status.LEFT,
            "name": "冒名企业",
            "industry": other_industry.pk,
            "legal_representative": "李四",
            "size": Enterprise.Size.LARGE,
            "joined_on": "2001-01-01",
            "created_at": "2001-01-01T00:00",
            "updated_by": bob.user.pk,
            "id": bob.enterprise.pk,
        },
    )

    assert response.status_code == 302
    after = _row(enterprise)
    changed = {key for key in after if after[key] != before[key]}
    assert changed == {
        "introduction",
        "phone",
        "website",
        "address",
        "updated_at",
        "updated_by_id",
    }
    assert after["updated_by_id"] == alice.user.pk
    assert _row(bob.enterprise)["name"] == bob.enterprise.name


def test_contact_form_declares_its_fields_explicitly():
    assert EnterpriseContactForm._meta.fields == [
        "introduction",
        "phone",
        "website",
        "address",
    ]
    assert EnterpriseContactForm._meta.exclude is None


@pytest.mark.parametrize(
    "phone", ["12345", "0417-28", "abc-defg", "0417-2812345转", "12812345678"]
)
def test_bad_phone_gives_a_form_error_and_saves_nothing(alice_in, alice, phone):
    before = _row(alice.enterprise)

    response = alice_in.post(_edit(alice.enterprise), {**VALID, "phone": phone})

    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    message = zh_marked(
        "Enter a phone number such as 0417-2812345, 13812345678 or 400-123-4567."
    )
    assertContains(response, escape(message))
    assert _row(alice.enterprise) == before


@pytest.mark.parametrize(
    "phone",
    [
        "0417-2812345",
        "(0417) 2812 345",
        "+86 0417 2812345",
        "13812345678",
        "400-123-4567",
        "0417-2812345转806",
    ],
)
def test_usual_office_phones_are_accepted(alice_in, alice, phone):
    response = alice_in.post(_edit(alice.enterprise), {**VALID, "phone": phone})

    errors = response.context["form"].errors if response.status_code == 200 else None
    assert response.status_code == 302, errors


@pytest.mark.parametrize("phone", ["０４１７２８１２３４５", "0417٢٨١٢٣٤٥"])
def test_a_stored_office_phone_has_only_ascii_digits(alice_in, alice, phone):
    alice_in.post(_edit(alice.enterprise), {**VALID, "phone": phone})

    alice.enterprise.refresh_from_db()
    assert re.fullmatch(r"[0-9转]*", alice.enterprise.phone), alice.enterprise.phone


@pytest.mark.parametrize(
    "website",
    [
        "not a url",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https://",
        "http://[::1",
    ],
)
def test_bad_website_gives_a_form_error_and_saves_nothing(alice_in, alice, website):
    before = _row(alice.enterprise)

    response = alice_in.post(_edit(alice.enterprise), {**VALID, "website": website})

    assert response.status_code == 200
    assert "website" in response.context["form"].errors
    assert _row(alice.enterprise) == before


def test_introduction_of_2001_characters_is_refused(alice_in, alice):
    before = _row(alice.enterprise)

    response = alice_in.post(
        _edit(alice.enterprise), {**VALID, "introduction": "商" * 2001}
    )

    assert response.status_code == 200
    assert "introduction" in response.context["form"].errors
    assert _row(alice.enterprise) == before


def test_introduction_of_2000_characters_is_accepted(alice_in, alice):
    response = alice_in.post(
        _edit(alice.enterprise), {**VALID, "introduction": "商" * 2000}
    )

    assert response.status_code == 302
    alice.enterprise.refresh_from_db()
    assert len(alice.enterprise.introduction) == 2000


def test_introduction_with_emoji_and_zero_width_characters_is_kept(alice_in, alice):
    text = "欢迎合作 🤝\u200b\n营口"

    response = alice_in.post(_edit(alice.enterprise), {**VALID, "introduction": text})

    assert response.status_code == 302
    alice.enterprise.refresh_from_db()
    assert alice.enterprise.introduction.replace("\r\n", "\n") == text


@pytest.mark.parametrize(
    "body",
    [
        {"website": "https://" + "a" * 10_000 + ".cn"},
        {"website": "a" * 10_000},
        {"introduction": "x" * 100_000},
        {"address": "址" * 10_000},
        {"phone": "0" * 10_000},
        {"phone": "0417\x002812345"},
        {"introduction": "\x00"},
        {"introduction": ["一", "二"]},
        {"website": "https://例子.中国/路径"},
        {"website": "https://exa mple.cn"},
    ],
    ids=[
        "long-website",
        "long-garbage-website",
        "huge-introduction",
        "huge-address",
        "huge-phone",
        "nul-phone",
        "nul-introduction",
        "duplicate-keys",
        "idn-website",
        "space-in-host",
    ],
)
def test_malformed_enterprise_input_never_causes_a_server_error(alice_in, alice, body):
    alice_in.raise_request_exception = False
    before = _row(alice.enterprise)

    response = alice_in.post(_edit(alice.enterprise), {**VALID, **body})

    assert response.status_code < 500
    if response.status_code != 302:
        assert _row(alice.enterprise) == before


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"introduction=%E4%B8%80&introduction",
        b"\xff\xfe\x00garbage=&&&==",
        b"a" * 5000,
    ],
    ids=["empty", "half-pair", "binary", "no-equals"],
)
def test_garbage_request_bodies_never_cause_a_server_error(alice_in, alice, raw):
    alice_in.raise_request_exception = False
    before = _row(alice.enterprise)

    response = alice_in.generic(
        "POST",
        _edit(alice.enterprise),
        raw,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code < 500
    if response.status_code != 302:  # a body without the form's fields clears them
        assert _row(alice.enterprise) == before


def test_too_many_fields_are_refused_without_server_error(alice_in, alice):
    alice_in.raise_request_exception = False
    before = _row(alice.enterprise)
    many = urlencode(
        [(f"f{n}", "x") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)]
    )

    response = alice_in.generic(
        "POST",
        _edit(alice.enterprise),
        many,
        content_type="application/x-www-form-urlencoded",
    )

    assert 400 <= response.status_code < 500
    assert _row(alice.enterprise) == before


def _assert_escaped(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert escape(XSS) in html


def test_script_in_the_introduction_is_shown_escaped_on_every_page(
    alice_in, alice, bob, client
):
    response = alice_in.post(_edit(alice.enterprise), {**VALID, "introduction": XSS})
    assert response.status_code == 302

    own_page = alice_in.get(_page(alice.enterprise)).content.decode()
    edit_page = alice_in.get(_edit(alice.enterprise)).content.decode()
    client.force_login(bob.user)
    detail_page = client.get(
        reverse("members:detail", args=[alice.pk])
    ).content.decode()

    for html in (own_page, edit_page, detail_page):
        _assert_escaped(html)


def test_template_syntax_in_the_introduction_is_shown_as_typed(alice_in, alice):
    alice_in.post(
        _edit(alice.enterprise), {**VALID, "introduction": "{{7*7}} {% now 'Y' %}"}
    )

    response = alice_in.get(_page(alice.enterprise))

    assertContains(response, escape("{{7*7}} {% now 'Y' %}"))
    assertNotContains(response, ">49<")
