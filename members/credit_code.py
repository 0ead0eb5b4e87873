"""The unified social credit code (统一社会信用代码) of GB 32100-2015, with its check character."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_character(first17: str) -> str:
    """The 18th character that the first 17 call for."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(value: str) -> str:
    return value.strip().upper()


def validate_credit_code(value: str) -> None:
    """Refuse a code of the wrong length, with a character outside the alphabet, or a bad check."""
    code = normalise(value)
    if len(code) != LENGTH:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d.")
            % {"n": len(code)},
            code="length",
        )
    for position, ch in enumerate(code, start=1):
        if ch not in ALPHABET:
            raise ValidationError(
                _(
                    "Character %(pos)d (“%(ch)s”) cannot appear in a unified social credit code."
                )
                % {"pos": position, "ch": ch},
                code="character",
            )
    if not code[2:8].isdigit():
        raise ValidationError(
            _(
                "Characters 3 to 8 must be the six digits of an administrative division code."
            ),
            code="division",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The check character (the 18th) should be %(expected)s, not %(actual)s: a character was mistyped."
            )
            % {"expected": expected, "actual": code[17]},
            code="checksum",
        )
