"""Admin of the groups app: groups per year with their members, point rules, the ledger, awards.

The ledger and the awards are read-only here: points change through the services
(activities, the staff form for manual points and corrections), awards through the
staff awards page.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chamber.exports import SpreadsheetAdminMixin
from groups import services
from groups.models import (
    ActivityGroup,
    Award,
    AwardKind,
    GroupMembership,
    PointRule,
    PointsEntry,
)
from groups.resources import GroupMembershipResource, PointsEntryResource
from members.models import Member


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GroupMembershipForm(forms.ModelForm):
    """Refuses a second group for a member in a year (the year is not a form field)."""

    class Meta:
        model = GroupMembership
        fields = ["group", "member", "is_leader"]

    def clean(self):
        cleaned = super().clean()
        group, member = cleaned.get("group"), cleaned.get("member")
        if group is not None and member is not None:
            other = (
                GroupMembership.objects.filter(member=member, year=group.year)
                .exclude(pk=self.instance.pk)
                .select_related("group")
                .first()
            )
            if other is not None:
                self.add_error(
                    "member",
                    _("%(member)s is already in %(group)s.")
                    % {"member": member, "group": other.group},
                )
        return cleaned


class GroupMembershipFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            member = form.cleaned_data.get("member")
            if member is None:
                continue
            if member.pk in seen:
                form.add_error("member", _("This member is listed twice."))
            seen.add(member.pk)


class GroupMembershipInline(admin.TabularInline):
    model = GroupMembership
    form = GroupMembershipForm
    formset = GroupMembershipFormSet
    fields = ["member", "is_leader"]
    autocomplete_fields = ["member"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member__user", "group")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "member":
            # The autocomplete widget labels each chosen member with the user's name.
            kwargs["queryset"] = Member.objects.select_related("user")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ActivityGroup)
class ActivityGroupAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year", "number", "name", "member_count", "leaders"]
    list_display_links = ["__str__"]
    list_filter = ["year"]
    search_fields = ["name", "memberships__member__user__full_name"]
    readonly_fields = ["created_at"]
    inlines = [GroupMembershipInline]
    actions = ["copy_to_next_year"]

    def get_queryset(self, request):
        leaders = GroupMembership.objects.filter(is_leader=True).select_related(
            "member__user"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(_members=Count("memberships"))
            .prefetch_related(
                Prefetch("memberships", queryset=leaders, to_attr="leader_memberships")
            )
        )

    @admin.display(description=_("members"), ordering="_members")
    def member_count(self, obj: ActivityGroup) -> str:
        # To the group's memberships, where they are also exported and imported.
        url = reverse("admin:groups_groupmembership_changelist")
        return format_html(
            '<a href="{}?group__id__exact={}">{}</a>', url, obj.pk, obj._members
        )

    @admin.display(description=_("group leaders"))
    def leaders(self, obj: ActivityGroup) -> str:
        return "、".join(str(m.member) for m in obj.leader_memberships) or "—"

    @admin.action(
        description=_("Copy the selected years' groups to the next year"),
        permissions=["add"],
    )
    def copy_to_next_year(self, request, queryset):
        years = sorted(set(queryset.values_list("year", flat=True)))
        made = sum(services.copy_groups(from_year=y, to_year=y + 1) for y in years)
        if made:
            self.message_user(
                request,
                ngettext(
                    "%(count)d group was made for the next year.",
                    "%(count)d groups were made for the next year.",
                    made,
                )
                % {"count": made},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _("No group was made: the next year already has these groups."),
                messages.WARNING,
            )


@admin.register(GroupMembership)
class GroupMembershipAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    """Who is in which group: edited here or with each group, imported from Excel here."""

    form = GroupMembershipForm
    list_display = ["member", "enterprise", "group", "year", "is_leader"]
    list_filter = ["year", "is_leader"]
    search_fields = [
        "member__user__full_name",
        "member__mobile",
        "member__enterprise__name",
    ]
    list_select_related = ["group", "member__user", "member__enterprise"]
    autocomplete_fields = ["member"]
    resource_classes = [GroupMembershipResource]

    @admin.display(description=_("enterprise"), ordering="member__enterprise__name")
    def enterprise(self, obj: GroupMembership) -> str:
        return obj.member.enterprise.name


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "points",
        "applies_to",
        "scale",
        "activity_type_code",
        "active_from",
        "active_until",
    ]
    list_filter = ["applies_to", "scale"]
    search_fields = ["code", "name", "description"]
    fields = [
        "code",
        "name",
        "points",
        "applies_to",
        "scale",
        "activity_type_code",
        ("active_from", "active_until"),
        "description",
        "sort_order",
    ]


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdminMixin, SpreadsheetAdminMixin, admin.ModelAdmin):
    """The points ledger, read-only: entries are written and corrected by the services."""

    list_display = [
        "member",
        "year",
        "points",
        "reason",
        "source",
        "source_label",
        "recorded_by",
        "created_at",
    ]
    list_filter = ["year", "source", "rule"]
    search_fields = ["member__user__full_name", "reason", "source_label"]
    list_select_related = ["member__user", "recorded_by"]
    fields = [
        "member",
        "year",
        "points",
        "reason",
        "rule",
        "source",
        "source_id",
        "source_label",
        "attempt",
        "reverses",
        "reversed_by_shown",
        "recorded_by",
        "created_at",
    ]
    readonly_fields = fields
    resource_classes = [PointsEntryResource]

    @admin.display(description=_("reversed by"))
    def reversed_by_shown(self, obj: PointsEntry) -> str:
        try:
            reversal = obj.reversed_by
        except PointsEntry.DoesNotExist:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:groups_pointsentry_change", args=[reversal.pk]),
            reversal,
        )


@admin.register(AwardKind)
class AwardKindAdmin(admin.ModelAdmin):
    list_display = ["name", "awarded_to", "rank_by", "winners", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name"]


@admin.register(Award)
class AwardAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Awards, read-only: staff confirm and publish them on the staff awards page."""

    list_display = ["year", "kind", "winner", "rank", "confirmed_by", "published_at"]
    list_filter = ["year", "kind"]
    search_fields = ["member__user__full_name", "group__name"]
    list_select_related = ["kind", "group", "member__user", "confirmed_by"]
    fields = [
        "kind",
        "year",
        "group",
        "member",
        "rank",
        "figures",
        "override_reason",
        "confirmed_by",
        "confirmed_at",
        "published_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("winner"))
    def winner(self, obj: Award) -> str:
        return str(obj.group or obj.member)
