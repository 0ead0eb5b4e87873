"""`{% navbar %}` and `{% language_switcher %}` of base.html (chamber/navigation.py)."""

from django import template

from chamber import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def navbar(context):
    return navigation.navbar(context.get("request"))


@register.simple_tag(takes_context=True)
def language_switcher(context):
    """The switcher posts to Django's set_language with this visitor's CSRF token: not
    on a page rendered without its request (there is no visitor to post it)."""
    request = context.get("request")
    return navigation.language_switcher(request) if request is not None else ""
