"""Article HTML: what the editor sends is cleaned with nh3 before it is stored.

Only text formatting, lists, quotes, tables, links (http, https, mailto; with
rel="noopener noreferrer") and images served by this site survive; scripts, event
attributes, styles, iframes and javascript: URLs never reach a reader.
"""

import nh3

TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "h2", "h3", "h4", "blockquote",
    "ul", "ol", "li", "a", "img", "figure", "figcaption", "table", "thead", "tbody",
    "tr", "th", "td", "hr",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def _same_site_images(element: str, attribute: str, value: str) -> str | None:
    """Images only from this site (uploaded through the portal), never from elsewhere."""
    if (
        element == "img"
        and attribute == "src"
        and not (value.startswith("/") and not value.startswith("//"))
    ):
        return None
    return value


def sanitise(html: str) -> str:
    return nh3.clean(
        html or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_same_site_images,
    )
