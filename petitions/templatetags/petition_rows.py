"""`{% petition_rows rows "petitions:staff_detail" %}`: the rows of a staff, department or
leader list of petitions, as `petitions/includes/row.html` draws them with
`show_enterprise`, made in Python.

The lists of staff and officials show up to a few hundred rows; through the include, each
row cost a template of its own and the status badge's include inside it (about 0.12 ms a
row, most of the triage board's time at two years' data, docs/performance.md). Here a row
is two `format_html` calls: every value is escaped, the markup is the include's.
"""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from petitions.models import Petition, Section
from petitions.templatetags.petitions import SECTION_BADGES

register = template.Library()

S = Petition.Status
# A number no petition has, replaced in the one reversed URL by each row's pk.
_PK = 987654321


def _badges(p: Petition, on) -> SafeString:
    """status.html for pages that show the enterprise: the section's badge (the status
    once ended), "supervised" at the department, how often departments returned it."""
    section = Section(p.section(on))
    label = p.get_status_display() if section == Section.ENDED else section.label
    html = format_html(
        '<span class="badge {}">{}</span>',
        SECTION_BADGES.get(section, "text-bg-secondary"),
        label,
    )
    if p.supervised_on and p.status in (S.DISPATCHED, S.IN_PROGRESS):
        html += format_html(
            ' <span class="badge text-bg-danger">{}</span>', _("supervised")
        )
    if p.bounce_count:
        html += format_html(
            ' <span class="badge text-bg-light border">{}</span>',
            ngettext("returned %(n)s time", "returned %(n)s times", p.bounce_count)
            % {"n": p.bounce_count},
        )
    return html


def _facts(p: Petition, on, show_department: bool) -> SafeString:
    """Number, day received, enterprise (a badge if not a member), category, department,
    and the due date while at the department (in red once past)."""
    enterprise = p.enterprise
    parts = [p.number, format(timezone.localtime(p.created_at).date(), "%Y-%m-%d")]
    if enterprise.is_member:
        parts.append(enterprise.name)
    else:
        parts.append(
            format_html(
                '{} <span class="badge text-bg-warning">{}</span>',
                enterprise.name,
                _("non-member enterprise"),
            )
        )
    if p.category_id:
        parts.append(p.category.name)
    if p.department_id and show_department:
        parts.append(p.department.name)
    if p.due_on and p.status in (S.DISPATCHED, S.IN_PROGRESS):
        due = format(p.due_on, "%Y-%m-%d")
        if p.due_on < on:
            parts.append(
                format_html(
                    '<span class="text-danger">{}</span>',
                    _("overdue since %(due)s") % {"due": due},
                )
            )
        else:
            parts.append(_("due %(due)s") % {"due": due})
    return format_html_join(" · ", "{}", ((part,) for part in parts))


@register.simple_tag
def petition_rows(
    rows, url_name: str, show_department: bool = False, duplicates=None
) -> SafeString:
    """The `<li>` of each petition of `rows` (with enterprise, category and department
    fetched), linking to `url_name` with its pk (no link for ""); `duplicates` maps a pk to its likely
    repeats (`repeats.likely_duplicates`), drawn under the row."""
    on = timezone.localdate()
    href = reverse(url_name, args=[_PK]) if url_name else ""
    return format_html_join(
        "\n",
        "{}",
        (
            (
                _row(
                    p,
                    href.replace(str(_PK), str(p.pk)),
                    on,
                    show_department,
                    duplicates,
                ),
            )
            for p in rows
        ),
    )


def _row(p: Petition, href: str, on, show_department: bool, duplicates) -> SafeString:
    found = duplicates.get(p.pk) if duplicates else None
    return format_html(
        '<li class="list-group-item">\n'
        '  <div class="d-flex justify-content-between align-items-start gap-2">\n'
        '    <a class="text-break fw-semibold" href="{}">{}</a>\n'
        '    <span class="text-nowrap">{}</span>\n'
        "  </div>\n"
        '  <div class="small text-body-secondary">\n'
        "    {}\n"
        "  </div>\n"
        "  {}\n"
        "</li>",
        href,
        p.title,
        _badges(p, on),
        _facts(p, on, show_department),
        render_to_string("petitions/includes/duplicates.html", {"found": found})
        if found
        else "",
    )


@register.simple_tag
def petition_badges(p: Petition) -> SafeString:
    """status.html for a page that shows the enterprise, for one petition."""
    return _badges(p, timezone.localdate())
