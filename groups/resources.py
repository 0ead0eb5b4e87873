"""Group memberships in and out of spreadsheets, and the points ledger out of them.

A membership row names the year, the group's number, the member (by mobile number or
username) and whether they lead the group (是/否). An unknown member, a group number
the year does not have, or a member placed in two groups of one year (twice in the
file, or already in another group) is a row error, and then the admin refuses the
whole file (chamber.exports.SpreadsheetAdminMixin). Exports are formula-safe.
"""

from django.core.exceptions import ValidationError
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from chamber.exports import restore_formula_text
from chamber.phone import MOBILE, normalise_phone
from groups.models import ActivityGroup, GroupMembership, PointsEntry
from members.models import Member
from members.resources import ChamberResource, ChoiceWidget, TextWidget, _labels

YEAR_COLUMN = gettext_lazy("year")
YES = gettext_lazy("Yes")
NO = gettext_lazy("No")


def _whole_number(value) -> int | None:
    """A whole number from a number cell or text ("3", " 3 ", 3.0); None when empty."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = force_str(value).strip() if value is not None else ""
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text})
    return int(text)


class YearWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        year = _whole_number(value)
        if year is None or not 2000 <= year <= 2100:
            raise ValueError(_("Enter the year, such as 2025."))
        return year


class GroupWidget(widgets.ForeignKeyWidget):
    """A group named by its number, in the year of the same row."""

    def __init__(self) -> None:
        super().__init__(ActivityGroup, "number")

    def clean(self, value, row=None, **kwargs):
        number = _whole_number(value)
        if number is None:
            raise ValueError(_("Enter the group's number, such as 3."))
        try:
            year = YearWidget().clean((row or {}).get(force_str(YEAR_COLUMN)))
        except ValueError:
            return None  # the year column reports its own error
        try:
            return ActivityGroup.objects.get(year=year, number=number)
        except ActivityGroup.DoesNotExist:
            raise ValueError(
                _("There is no group %(number)d in %(year)d: create it first.")
                % {"number": number, "year": year}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return value.number if value is not None else ""


class MemberWidget(widgets.ForeignKeyWidget):
    """A member named by their mobile number or, failing that, their username."""

    def __init__(self) -> None:
        super().__init__(Member, "mobile")

    def get_queryset(self, value, row, *args, **kwargs):
        return Member.objects.select_related("user")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a number cell in Excel
        text = restore_formula_text(force_str(value).strip() if value else "")
        if not text:
            raise ValueError(_("Enter the member's mobile number or username."))
        mobile = normalise_phone(text)
        members = self.get_queryset(value, row)
        found = list(members.filter(mobile=mobile)[:2]) if MOBILE.match(mobile) else []
        if not found:
            found = list(members.filter(user__username=text)[:2])
        if len(found) > 1:
            raise ValueError(
                _(
                    "Several members have the mobile number %(value)s: "
                    "use their username instead."
                )
                % {"value": text}
            )
        if not found:
            raise ValueError(
                _("No member has the mobile number or username %(value)s.")
                % {"value": text}
            )
        return found[0]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value.mobile or value.user.username


class YesNoWidget(widgets.Widget):
    """是 or 否 (Yes or No in English; also 1/0, true/false); an empty cell is No."""

    TRUE = {"1", "true", "y", "√", "✓"}
    FALSE = {"0", "false", "n"}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = force_str(value).strip() if value is not None else ""
        if not text:
            return False
        if text.lower() in self.TRUE or text in _labels(YES) or text.lower() == "yes":
            return True
        if text.lower() in self.FALSE or text in _labels(NO) or text.lower() == "no":
            return False
        raise ValueError(
            _("Write %(yes)s or %(no)s, not “%(value)s”.")
            % {"yes": YES, "no": NO, "value": text}
        )

    def render(self, value, obj=None, **kwargs):
        return str(YES if value else NO)


def _verbose(model, name: str):
    return model._meta.get_field(name).verbose_name


class GroupMembershipResource(ChamberResource):
    """Who is in which group each year; a row names an existing group and member."""

    year = fields.Field(attribute="year", column_name=YEAR_COLUMN, widget=YearWidget())
    group = fields.Field(
        attribute="group",
        column_name=gettext_lazy("group number"),
        widget=GroupWidget(),
    )
    member = fields.Field(
        attribute="member",
        column_name=gettext_lazy("mobile phone or username"),
        widget=MemberWidget(),
    )
    full_name = fields.Field(
        attribute="member__user__full_name",
        column_name=gettext_lazy("full name"),
        widget=TextWidget(),
        readonly=True,
    )
    enterprise = fields.Field(
        attribute="member__enterprise__name",
        column_name=gettext_lazy("enterprise name"),
        widget=TextWidget(),
        readonly=True,
    )
    is_leader = fields.Field(
        attribute="is_leader",
        column_name=_verbose(GroupMembership, "is_leader"),
        widget=YesNoWidget(),
    )

    class Meta:
        model = GroupMembership
        fields = ["year", "group", "member", "full_name", "enterprise", "is_leader"]
        skip_unchanged = True
        report_skipped = True

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._placed: dict[tuple[int, int], tuple[int, int]] = {}

    def get_queryset(self):
        return GroupMembership.objects.select_related(
            "group", "member__user", "member__enterprise"
        )

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._placed = {}  # (member, year) -> (group number, first row)

    def get_instance(self, instance_loader, row):
        """The member's membership of that very group, to update its leader flag."""
        try:
            group = self.fields["group"].clean(row)
            member = self.fields["member"].clean(row)
        except (KeyError, ValueError):
            return None  # import_instance reports the bad cell
        if group is None:
            return None
        return self.get_queryset().filter(group=group, member=member).first()

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if not errors and instance.group_id and instance.member_id:
            problem = self._second_group(instance, kwargs.get("row_number"))
            if problem:
                errors["member"] = [ValidationError(problem, code="two_groups")]
        if errors:
            raise self.by_column(ValidationError(errors))

    def _second_group(self, instance: GroupMembership, row_number) -> str:
        """Why the row would put the member in a second group that year, or ''."""
        year, number = instance.group.year, instance.group.number
        key = (instance.member_id, year)
        earlier = self._placed.setdefault(key, (number, row_number))
        if earlier[1] != row_number:
            return _(
                "%(member)s is in two groups of %(year)d in this file: "
                "group %(first)d on row %(row)d and group %(second)d here."
            ) % {
                "member": instance.member,
                "year": year,
                "first": earlier[0],
                "row": earlier[1],
                "second": number,
            }
        other = (
            GroupMembership.objects.filter(member_id=instance.member_id, year=year)
            .exclude(group_id=instance.group_id)
            .select_related("group")
            .first()
        )
        if other:
            return _(
                "%(member)s is already in %(group)s: remove them from that group first."
            ) % {"member": instance.member, "group": other.group}
        return ""


class PointsEntryResource(ChamberResource):
    """The points ledger, for export only: one row per entry, with who and why."""

    entry = fields.Field(attribute="pk", column_name=gettext_lazy("entry"))
    year = fields.Field(
        attribute="year",
        column_name=_verbose(PointsEntry, "year"),
        widget=widgets.IntegerWidget(),
    )
    member = fields.Field(
        attribute="member__user__full_name", column_name=gettext_lazy("full name")
    )
    mobile = fields.Field(
        attribute="member__mobile", column_name=_verbose(Member, "mobile")
    )
    enterprise = fields.Field(
        attribute="member__enterprise__name",
        column_name=gettext_lazy("enterprise name"),
    )
    points = fields.Field(
        attribute="points",
        column_name=_verbose(PointsEntry, "points"),
        widget=widgets.IntegerWidget(),
    )
    reason = fields.Field(
        attribute="reason", column_name=_verbose(PointsEntry, "reason")
    )
    rule = fields.Field(
        attribute="rule__name", column_name=_verbose(PointsEntry, "rule")
    )
    source = fields.Field(
        attribute="source",
        column_name=_verbose(PointsEntry, "source"),
        widget=ChoiceWidget(PointsEntry.Source),
    )
    source_label = fields.Field(
        attribute="source_label", column_name=_verbose(PointsEntry, "source_label")
    )
    reverses = fields.Field(
        attribute="reverses_id", column_name=_verbose(PointsEntry, "reverses")
    )
    recorded_by = fields.Field(
        attribute="recorded_by__full_name",
        column_name=_verbose(PointsEntry, "recorded_by"),
    )
    created_at = fields.Field(
        attribute="created_at",
        column_name=_verbose(PointsEntry, "created_at"),
        widget=widgets.DateTimeWidget(format="%Y-%m-%d %H:%M"),
    )

    class Meta:
        model = PointsEntry
        fields = [
            "entry",
            "year",
            "member",
            "mobile",
            "enterprise",
            "points",
            "reason",
            "rule",
            "source",
            "source_label",
            "reverses",
            "recorded_by",
            "created_at",
        ]

    def get_queryset(self):
        return PointsEntry.objects.select_related(
            "member__user", "member__enterprise", "rule", "recorded_by"
        )
