"""The journeys' checks can fail: a page with known faults is caught by each of them."""

import pytest

from tests.browser.journey import vnu_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKEN = """<!DOCTYPE html>
<html lang="zh-hans"><head><meta charset="utf-8"><title>坏页面</title></head>
<body><main>
<h1>坏页面</h1>
<img src="/static/img/nothing.png">
<input type="text" name="q">
<p id="twice">一</p><p id="twice">二</p>
<script src="https://cdn.example.com/lib.js"></script>
</main></body></html>"""


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_faulty_page_fails_every_check_of_a_journey(journey, live_server):
    visitor = journey("selftest")
    page = visitor.page
    page.route("https://cdn.example.com/**", lambda route: route.abort())
    page.route(
        f"{live_server.url}/broken/",
        lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=BROKEN
        ),
    )

    page.goto(f"{live_server.url}/broken/")
    visitor.check("broken")

    rules = {line.split("] ", 1)[1].split(":", 1)[0] for line in visitor.violations}
    assert {"image-alt", "label"} <= rules  # both critical in axe
    assert visitor.foreign_requests == ["https://cdn.example.com/lib.js"]
    assert visitor.console_errors  # the refused script
    errors = vnu_errors(sorted(visitor.folder.glob("*.html")))
    assert any("Duplicate ID" in e for e in errors), errors
    assert any("alt" in e for e in errors), errors
    assert (visitor.folder / "01-broken.png").stat().st_size > 0
    with pytest.raises(AssertionError):
        visitor.finish()
