"""Replies to our SMS (上行短信), posted by Tencent Cloud: "T" stops them (回T退订).

The URL is set in the Tencent Cloud SMS console, as the application's reply callback
(上行短信回调): https://<host>/sms/replies/<SMS_REPLY_TOKEN>/. The provider signs
nothing, so the token in the path is what tells its posts from anyone else's; without
the setting the URL does not exist. The body and the answer are as documented in
https://www.tencentcloud.com/document/api/382/43548 (SMS Reply).
"""

import json

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chamber.channels.sms import record_sms_reply

# Tencent Cloud reads `result` (0: taken) and logs `errmsg`; these words are for its
# logs and ours, not for a person, so they are not translated.
MALFORMED = (
    "Expected JSON: one reply object, or a list of them, each with the strings "
    '"mobile" and "text" (and "nationcode", "sign", "time", "extend").'
)


@csrf_exempt
@require_POST
def replies(request: HttpRequest, token: str) -> JsonResponse:
    """Take a post of replies; each T (退订) from a verified mobile stops SMS to it."""
    expected = settings.SMS_REPLY_TOKEN
    if not expected or not constant_time_compare(token, expected):
        raise Http404
    received = _replies(request.body)
    if received is None:
        return JsonResponse({"result": 1, "errmsg": MALFORMED}, status=400)
    for reply in received:
        # Only mainland numbers are ours; nationcode may be missing or empty.
        if str(reply.get("nationcode") or "86").lstrip("+") == "86":
            record_sms_reply(number=reply["mobile"], text=reply["text"])
    return JsonResponse({"result": 0, "errmsg": "OK"})


def _replies(body: bytes) -> list[dict] | None:
    """The replies in a posted body (an object or a list of objects), None if malformed."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    received = payload if isinstance(payload, list) else [payload]
    for reply in received:
        if not (
            isinstance(reply, dict)
            and isinstance(reply.get("mobile"), str)
            and isinstance(reply.get("text"), str)
        ):
            return None
    return received
