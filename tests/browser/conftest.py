"""Playwright drives Debian's Chromium (`playwright install` cannot download browsers here)."""

import os
import re
import shutil

import pytest

from tests.browser.journey import CSP_WATCH, VIEWPORTS, Journey, axe_script

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items) -> None:
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    for item in items:
        if item.get_closest_marker("browser"):
            if in_ci:
                raise pytest.UsageError(
                    f"CI=true, but Chromium is missing at {CHROMIUM}"
                )
            item.add_marker(
                pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}")
            )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A phone: 390 × 844, touch, Chinese as the browser's language."""
    return {
        **browser_context_args,
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
    }


@pytest.fixture
def watched_page(page, live_server):
    """The page, recording console errors, page errors and requests to other origins."""
    page.console_errors = []
    page.foreign_requests = []
    page.on(
        "console",
        lambda msg: msg.type == "error" and page.console_errors.append(msg.text),
    )
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.on(
        "request",
        lambda req: (
            req.url.startswith((live_server.url, "data:"))
            or page.foreign_requests.append(req.url)
        ),
    )
    return page


@pytest.fixture(params=sorted(VIEWPORTS), ids=str)
def viewport(request) -> str:
    """The journeys run twice: on a phone and on a desktop screen."""
    return request.param


@pytest.fixture
def journey(browser, live_server, viewport, request):
    """start(role) -> a Journey in a fresh browser of its own (its own cookies)."""
    contexts = []
    axe = axe_script()
    test = re.sub(r"[^a-z0-9]+", "-", request.node.originalname.lower()).strip("-")

    def start(role: str) -> Journey:
        context = browser.new_context(locale="zh-CN", **VIEWPORTS[viewport])
        context.set_default_timeout(15_000)
        context.add_init_script(script=CSP_WATCH)
        if axe:
            context.add_init_script(script=axe)
        contexts.append(context)
        return Journey(
            page=context.new_page(),
            origin=live_server.url,
            name=f"{test}-{role}-{viewport}",
            axe=bool(axe),
        )

    yield start
    for context in contexts:
        context.close()
