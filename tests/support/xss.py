"""What the XSS tests type and what they look for in what a reader gets."""

import re
from html.parser import HTMLParser

# Typed into petitions and activities (tests/petitions/test_xss.py,
# tests/petitions/test_xss_mail.py, tests/activities/test_xss.py).
PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "link": '<a href="javascript:alert(1)">点我</a>',
    "url": "javascript:alert(document.cookie)",
    "template": "{{7*7}}{% debug %}",
    "chinese": "营口<script>alert('诉求')</script>鲅鱼圈",
}
ADMIN_SVG = re.compile(
    r'<svg (?:xmlns="http://www.w3.org/2000/svg" class="base-svgs"'
    r'|aria-hidden="true" class="theme-icon-when-(?:auto|dark|light)")>'
)
ADMIN_JSI18N = '<script src="/admin/jsi18n/">'
OUR_SCRIPT = re.compile(r'<script\b[^>]*\bsrc="/static/[^"<>]*"[^<]*>$')
# For the fields that hold few characters: names (50), a category or a phone (30).
SHORT = "<svg onload=alert()>"


def fit(text: str, length: int) -> str:
    """The text, or a short payload when the field cannot hold it."""
    return text if len(text) <= length else SHORT


class _Runnable(HTMLParser):
    """Collects what a browser would run or fetch from elsewhere in an HTML text."""

    DANGEROUS_TAGS = {"iframe", "frame", "object", "embed", "svg", "math", "base"}
    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in self.DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "script" and not values.get("src", "").startswith("/static/"):
            self.found.append("<script> not of ours")
        if tag == "img" and not values.get("src", "/").startswith("/"):
            self.found.append(f"<img src={values['src']!r}>")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            lowered = "".join(value.split()).lower()
            if name in self.URL_ATTRIBUTES and lowered.startswith(
                ("javascript:", "vbscript:", "data:text")
            ):
                self.found.append(f"{tag} {name}={value!r}")
            if name == "style" and any(
                bad in lowered for bad in ("url(", "expression(", "javascript:")
            ):
                self.found.append(f"{tag} style={value!r}")

    handle_startendtag = handle_starttag


def runnable(html: str) -> list[str]:
    """What in `html` would run or fetch from elsewhere (empty when nothing would)."""
    parser = _Runnable()
    parser.feed(html)
    parser.close()
    return parser.found
