"""The rates as every page and e-mail shows them (petitions/rates.py, their one
definition): `{% show_rate totals|rate:"response_rate" %}` gives the percentage with its
numerator and denominator under it (their names on hover), and `{{ totals|rate:"…" }}`
prints "80.0%（12/15）" in an e-mail."""

from django import template

from petitions import rates

register = template.Library()


@register.filter
def rate(source, key: str) -> rates.Figure:
    """The rate `key` of a report's totals or a department's row."""
    return rates.figure(source, key)


@register.filter
def rate_figures(source, which: str = "") -> list[rates.Figure]:
    """Every rate of `source` in the definition's order; "headline": the 三率 and the
    return visit rate only."""
    chosen = rates.HEADLINE if which == "headline" else rates.RATES
    return [rates.figure(source, r.key) for r in chosen]


@register.filter
def rates_beside(source, key: str) -> list[rates.Figure]:
    """The rates of `source` shown beside the headline rate `key` (the response rate
    against the original due date, the resolution rate the departments declared)."""
    return [rates.figure(source, r.key) for r in rates.RATES if r.beside == key]


@register.simple_tag
def rate_list(which: str = "") -> tuple[rates.Rate, ...]:
    """The rates' definitions (label, meaning…); "headline": the 三率 and the return
    visit rate only."""
    return rates.HEADLINE if which == "headline" else rates.RATES


@register.filter
def rate_label(key: str) -> str:
    r = rates.BY_KEY.get(key)
    return r.label if r else ""


@register.filter
def is_rate(key: str) -> bool:
    return key in rates.BY_KEY


@register.filter
def points(value) -> str:
    """A gap in percentage points with its sign (+8.3, −2.0, 0), "—" when none."""
    if value is None:
        return "—"
    if not value:
        return "0"
    return ("+" if value > 0 else "\N{MINUS SIGN}") + f"{abs(value):.1f}"


@register.inclusion_tag("petitions/includes/rate.html")
def show_rate(figure: rates.Figure, inline: bool = False, strong: bool = False) -> dict:
    """The percentage, and its numerator/denominator in small type: under it, or beside
    it (`inline`); visible on a phone, named on hover."""
    return {"figure": figure, "inline": inline, "strong": strong}


@register.inclusion_tag("petitions/includes/rate_meanings.html")
def rate_meanings(which: str = "") -> dict:
    """What each rate counts, one line each."""
    chosen = rates.HEADLINE if which == "headline" else rates.RATES
    return {"rates": chosen}
