"""Forms rendered once for the values they show, then reused by this process.

Rendering a form through crispy-forms' Bootstrap templates cost more than the rest of
the page around it (the login page, a member's profile: docs/performance.md, issue 22).
An unbound form renders the same HTML for the same initial values every time: its
fields, labels, help texts and choices come from code and translations, which change
only with a deployment. So it is rendered once per process, language and initial
values, and a bound form (a submission, with its errors and the values typed) is
rendered afresh.

- `{% crispy_static form "name" %}`: `{{ form|crispy }}`, kept so.
- `{% form_static "template.html" form %}`: the template (which lays the form's fields
  out, with `form` in its context and nothing else), kept so.

Only for forms whose fields and choices come from code, not from the database: the key
knows the values, not the choices.
"""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import template
from django.template.loader import render_to_string
from django.utils.translation import get_language

register = template.Library()

_RENDERED: dict[tuple, str] = {}
# Forms × languages × their initial values (a member's profile: one a member in use).
_MOST = 1024


def _kept(form, name: str, render):
    if form.is_bound:
        return render()
    values = tuple(
        sorted(
            [(f"form.{key}", repr(value)) for key, value in form.initial.items()]
            + [(key, repr(field.initial)) for key, field in form.fields.items()]
        )
    )
    key = (name, type(form).__qualname__, get_language(), values)
    html = _RENDERED.get(key)
    if html is None:
        html = render()
        if len(_RENDERED) >= _MOST:
            _RENDERED.clear()
        _RENDERED[key] = html
    return html


@register.simple_tag
def crispy_static(form, name: str):
    return _kept(form, name, lambda: as_crispy_form(form))


@register.simple_tag
def form_static(template_name: str, form):
    return _kept(
        form, template_name, lambda: render_to_string(template_name, {"form": form})
    )
