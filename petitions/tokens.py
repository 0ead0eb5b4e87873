"""Signed rating links: a member rates an answer from the e-mail without logging in again.

The token names the petition, the answer round and the member's user, signed with the
site's secret. It works once: rating moves the petition on, and a later answer has a new
round, so an old link is refused. It expires after RATING_LINK_DAYS.
"""

from django.core import signing

SALT = "petitions.rating"
RATING_LINK_DAYS = 30


def rating_token(*, petition_id: int, answer_round: int, user_id: int) -> str:
    return signing.dumps([petition_id, answer_round, user_id], salt=SALT, compress=True)


def read_rating_token(token: str) -> tuple[int, int, int] | None:
    """(petition id, answer round, user id), or None when forged, damaged or expired."""
    try:
        value = signing.loads(token, salt=SALT, max_age=RATING_LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(v, int) for v in value)
    ):
        return None
    return value[0], value[1], value[2]
