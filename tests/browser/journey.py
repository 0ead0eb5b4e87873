"""A role's journey through the portal in Chromium, checked at each page it reaches.

At every stop (`Journey.check`) the page's own HTML (the document the server sent) and a
full-page screenshot are saved under the test artifacts, and axe-core runs in the page.
At the end (`Journey.finish`) the journey must have met no serious or critical axe
violation, no console error (a CSP refusal is one), no request to another origin, and
the Nu HTML checker (vnu) must find no error in any saved page.

axe-core and vnu come from npm (package.json); Java runs vnu. With CI=true both are
required; elsewhere a missing tool skips that part of the check, saying so.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.lanes import IN_CI

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", ROOT / ".artifacts"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

VIEWPORTS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}
# What axe calls serious or critical blocks a journey; moderate and minor are reported.
BLOCKING = {"serious", "critical"}

# Chromium's console line for a CSP refusal names no script: this says which one did it.
CSP_WATCH = """document.addEventListener("securitypolicyviolation", (e) => console.error(
  `CSP ${e.effectiveDirective} refused ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`));"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
  }));
}"""


def _tool_missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true, but {what} is missing (npm ci and a Java runtime)")


def axe_script() -> str | None:
    """axe-core's source, injected before any page script (an init script is not
    subject to the page's CSP, which refuses inline scripts)."""
    if AXE.exists():
        return AXE.read_text()
    _tool_missing(str(AXE))
    return None


@dataclass
class Journey:
    """One role's way through the portal on one viewport."""

    page: object
    origin: str
    name: str
    axe: bool
    stops: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    _documents: list = field(default_factory=list)
    _axe_running: bool = False

    def __post_init__(self) -> None:
        page = self.page
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        page.on("request", self._on_request)
        page.on("response", self._on_response)
        self.folder = ARTIFACTS / "journeys" / self.name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)

    def _on_console(self, msg) -> None:
        # axe-core puts a <style> of its own in the page while it runs (some rules
        # measure elements that way); the page's CSP refuses it. That one is axe's, not
        # the portal's.
        if (
            self._axe_running
            and "style" in msg.text
            and (
                "Content Security Policy" in msg.text
                or msg.text.startswith("CSP style")
            )
        ):
            return
        if msg.type == "error":
            where = msg.location or {}
            source = f"{where.get('url', '')}:{where.get('lineNumber', '')}"
            self.console_errors.append(f"{self.page.url}: {msg.text} (from {source})")

    def _on_request(self, request) -> None:
        if not request.url.startswith((self.origin, "data:", "blob:")):
            self.foreign_requests.append(request.url)

    def _on_response(self, response) -> None:
        request = response.request
        if (
            request.resource_type == "document"
            and response.frame == self.page.main_frame
        ):
            self._documents.append(response)

    def check(self, label: str) -> None:
        """Save this page's HTML and a screenshot, and run axe on it."""
        page = self.page
        page.wait_for_load_state("load")
        slug = f"{len(self.stops) + 1:02d}-{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}"
        self.stops.append(slug)
        document = next(
            (r for r in reversed(self._documents) if 200 <= r.status < 300), None
        )
        assert document is not None, f"{label}: no page was loaded"
        html = document.text()
        (self.folder / f"{slug}.html").write_text(html)
        page.screenshot(path=str(self.folder / f"{slug}.png"), full_page=True)
        if not self.axe:
            return
        self._axe_running = True
        try:
            found = page.evaluate(AXE_RUN)
            page.wait_for_timeout(50)  # the console events of the run arrive
        finally:
            self._axe_running = False
        for v in found:
            line = f"{slug} {page.url}: [{v['impact']}] {v['id']}: {v['help']} at {v['nodes']}"
            (self.folder / "axe.txt").open("a").write(line + "\n")
            if v["impact"] in BLOCKING:
                self.violations.append(line)

    def finish(self) -> None:
        """The journey's verdict: everything it met, in one assertion each."""
        assert self.stops, "the journey checked no page"
        assert self.console_errors == [], self.console_errors
        assert self.foreign_requests == [], self.foreign_requests
        assert self.violations == [], "\n".join(self.violations)
        errors = vnu_errors(sorted(self.folder.glob("*.html")))
        assert errors == [], "\n".join(errors)


def vnu_errors(files: list[Path]) -> list[str]:
    """The Nu HTML checker's errors in these files ([] when it finds none)."""
    java = shutil.which("java")
    if not (VNU.exists() and java):
        _tool_missing(f"{VNU} or java")
        return []
    if not files:
        return []
    done = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m.get('message')} "
        f"[{m.get('extract', '').strip()[:120]}]"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
