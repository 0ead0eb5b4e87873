"""The admin's user form, as staff fill it in to give roles
(tests/chamber/test_roles.py)."""

from chamber.models import User


def user_change_form(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "language": user.language,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "official-TOTAL_FORMS": "0",
        "official-INITIAL_FORMS": "0",
        "official-MIN_NUM_FORMS": "0",
        "official-MAX_NUM_FORMS": "1",
        "notice_channels-TOTAL_FORMS": "0",
        "notice_channels-INITIAL_FORMS": "0",
        "notice_channels-MIN_NUM_FORMS": "0",
        "notice_channels-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}
