"""The method's rules (工作法规则) a report was computed with, in words."""

from django import template

from chamber import method_rules

register = template.Library()


@register.filter
def rules_described(values) -> list[tuple[str, str]]:
    """(label, value with its unit) of a report's stored rules; [] for none."""
    return method_rules.describe(values) if isinstance(values, dict) else []
