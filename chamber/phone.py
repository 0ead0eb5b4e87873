"""Mainland China phone numbers: mobiles for members, looser office numbers for departments."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SEPARATORS = re.compile(r"[\s\-()（）－]")
# Chinese input methods type full-width digits and plus signs; store plain ASCII.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋", "0123456789+")
_FULL_WIDTH_SIGNS = str.maketrans(
    "０１２３４５６７８９＋－（）\u3000", "0123456789+-() "
)
_SPACES = re.compile(r"\s+")
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
OFFICE = re.compile(
    r"^(0[0-9]{2,3})?[0-9]{7,8}(转[0-9]{1,6})?$|^1[3-9][0-9]{9}$|^400[0-9]{7}$"
)


def tidy_phone(value: str) -> str:
    """A number as the person wrote it (0417-2812345 keeps its hyphen), in ASCII digits
    and signs with single spaces. Validation and look-ups use `normalise_phone`."""
    return _SPACES.sub(" ", (value or "").translate(_FULL_WIDTH_SIGNS)).strip()


def normalise_phone(value: str) -> str:
    """Drop spaces, dashes, brackets and a +86 / 0086 country prefix."""
    number = _SEPARATORS.sub("", (value or "").translate(_FULL_WIDTH))
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
    return number


def validate_mobile(value: str) -> None:
    number = normalise_phone(value)
    if not MOBILE.match(number):
        raise ValidationError(
            _(
                "Enter a mainland mobile number: 11 digits starting with 13 to 19, e.g. 13812345678."
            ),
            code="mobile",
        )


def validate_office_phone(value: str) -> None:
    number = normalise_phone(value)
    if not OFFICE.match(number):
        raise ValidationError(
            _(
                "Enter a phone number such as 0417-2812345, 13812345678 or 400-123-4567."
            ),
            code="phone",
        )
