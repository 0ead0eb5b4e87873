"""The unified social credit code (GB 32100): valid and invalid vectors, messages in Chinese (IN-4)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from members.credit_code import (
    ALPHABET,
    check_character,
    normalise,
    validate_credit_code,
)
from members.models import Area, Enterprise
from tests.factories import EnterpriseFactory

# Published codes, so the checksum is not only checked against itself.
PUBLISHED = [
    "91350100M000100Y43",  # the example of GB 32100's explanatory notes
    "91110108551385082Q",
    "91440300708461136T",
]
# First 17 characters of codes of several kinds; the 18th comes from check_character.
FIRST_17 = [
    "91210803MA0QD1234",  # enterprise, Xishi District
    "91210800MA0QJ6789",
    "11210803000000000",  # party and government organ
    "52210803YYYYYYYYY",  # social organisation, last letter of the alphabet
    "93210803000000001",  # farmers' cooperative
    "12210803MB1234567",
]
VALID = PUBLISHED + [first17 + check_character(first17) for first17 in FIRST_17]
GOOD = "91350100M000100Y43"


def _message(value: str, language: str = "zh-hans") -> tuple[str, str]:
    with translation.override(language), pytest.raises(ValidationError) as raised:
        validate_credit_code(value)
    error = raised.value.error_list[0]
    return error.code, error.messages[0]


@pytest.mark.parametrize("code", VALID)
def test_valid_code_is_accepted(code):
    validate_credit_code(code)


@pytest.mark.parametrize("code", PUBLISHED)
def test_check_character_matches_published_codes(code):
    assert check_character(code[:17]) == code[17]


def test_check_character_can_be_zero():
    first17 = next(
        f"91210803MA{n:07d}"
        for n in range(1000)
        if check_character(f"91210803MA{n:07d}") == "0"
    )

    validate_credit_code(first17 + "0")


@pytest.mark.parametrize("code", VALID)
def test_lowercase_and_surrounding_spaces_are_accepted(code):
    validate_credit_code(f"  {code.lower()} ")

    assert normalise(f"  {code.lower()} ") == code


@pytest.mark.parametrize(
    ("value", "chinese"),
    [
        (GOOD[:17], "统一社会信用代码应为18位，当前为17位。"),
        (GOOD + "1", "统一社会信用代码应为18位，当前为19位。"),
        ("", "统一社会信用代码应为18位，当前为0位。"),
        ("9135 0100M000100Y43", "统一社会信用代码应为18位，当前为19位。"),
    ],
)
def test_code_of_the_wrong_length_is_refused_naming_its_length(value, chinese):
    assert _message(value) == ("length", chinese)


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
@pytest.mark.parametrize("position", [1, 9, 12, 18])
def test_forbidden_letter_is_refused_naming_its_position(letter, position):
    code = GOOD[: position - 1] + letter + GOOD[position:]

    assert _message(code) == (
        "character",
        f"第{position}位的“{letter}”不能出现在统一社会信用代码中。",
    )


@pytest.mark.parametrize("character", ["-", "中", "*"])
def test_character_outside_the_alphabet_is_refused(character):
    code = GOOD[:10] + character + GOOD[11:]

    assert _message(code) == (
        "character",
        f"第11位的“{character}”不能出现在统一社会信用代码中。",
    )


def test_division_code_must_be_six_digits():
    first17 = "9121A803MA0QD1234"

    code, message = _message(first17 + check_character(first17))

    assert code == "division"
    assert message == "第3至8位必须是6位数字的行政区划代码。"


@pytest.mark.parametrize("code", VALID)
def test_wrong_check_character_is_refused_naming_the_expected_one(code):
    expected = code[17]
    wrong = next(ch for ch in ALPHABET if ch != expected)

    assert _message(code[:17] + wrong) == (
        "checksum",
        f"校验码（第18位）应为{expected}，而不是{wrong}，可能有字符输错了。",
    )


def test_a_single_mistyped_digit_is_caught():
    mistyped = GOOD[:5] + "2" + GOOD[6:]  # 91350200M000100Y43

    assert _message(mistyped)[0] == "checksum"


def test_messages_are_in_english_for_english_readers():
    assert _message(GOOD[:17], "en") == (
        "length",
        "A unified social credit code has 18 characters; this one has 17.",
    )
    assert _message(GOOD[:17] + "4", "en")[1] == (
        "The check character (the 18th) should be 3, not 4: a character was mistyped."
    )


def test_enterprise_with_a_bad_code_fails_validation_on_that_field(db):
    enterprise = Enterprise(
        name="营口错码公司", credit_code=GOOD[:17] + "4", area=Area.FTZ
    )

    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        enterprise.full_clean()

    assert list(raised.value.message_dict) == ["credit_code"]
    assert "校验码" in raised.value.message_dict["credit_code"][0]


def test_enterprise_code_typed_in_lowercase_is_stored_in_capitals(db):
    enterprise = Enterprise(
        name="营口小写公司", credit_code=GOOD.lower(), area=Area.XISHI
    )

    enterprise.full_clean()
    enterprise.save()

    enterprise.refresh_from_db()
    assert enterprise.credit_code == GOOD


def test_same_code_in_lowercase_is_refused_as_a_duplicate(db):
    EnterpriseFactory(credit_code=GOOD)
    twin = Enterprise(name="营口重复公司", credit_code=GOOD.lower(), area=Area.XISHI)

    with pytest.raises(ValidationError) as raised:
        twin.full_clean()

    assert "credit_code" in raised.value.message_dict


def test_staff_adding_an_enterprise_in_lowercase_in_the_admin_stores_capitals(
    client, staff
):
    client.force_login(staff)

    response = client.post(
        "/admin/members/enterprise/add/",
        {
            "name": "营口后台录入公司",
            "credit_code": GOOD.lower(),
            "area": Area.COASTAL,
            "status": Enterprise.Status.ACTIVE,
        },
    )

    assert response.status_code == 302
    assert Enterprise.objects.get(name="营口后台录入公司").credit_code == GOOD


def test_admin_refuses_a_bad_code_with_the_chinese_message(client, staff):
    client.force_login(staff)

    response = client.post(
        "/admin/members/enterprise/add/",
        {
            "name": "营口错码公司",
            "credit_code": GOOD[:17] + "4",
            "area": Area.COASTAL,
            "status": Enterprise.Status.ACTIVE,
        },
    )

    assert response.status_code == 200
    assert "校验码（第18位）应为3，而不是4" in response.content.decode()
    assert not Enterprise.objects.filter(name="营口错码公司").exists()
