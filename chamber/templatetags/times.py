"""How long ago something happened, as a sentence reads it: "刚刚" rather than "0 分钟前"."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext

register = template.Library()


@register.filter
def ago(moment) -> str:
    """Under a minute "just now" (刚刚), else "5 minutes ago" (5 分钟前); "" for no time."""
    if not moment:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return gettext("just now")
    return gettext("%(time)s ago") % {"time": timesince(moment)}
