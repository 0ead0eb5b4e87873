"""Petitions in the admin: categories and time limits are data staff edit; petitions, their
events, the review runs and escalations are shown read-only (the portal's pages and the
services change them, so every change leaves its event)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from petitions.models import (
    Category,
    Escalation,
    IntakeBatch,
    OpinionSheet,
    Petition,
    PetitionAttachment,
    PetitionEvent,
    RateTarget,
    ReviewRun,
)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "working_days",
        "urgent_working_days",
        "is_active",
        "sort_order",
    ]
    list_editable = ["working_days", "urgent_working_days", "is_active", "sort_order"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Categories appear in petitions and reports: untick "offered" instead.
        return False


@admin.register(RateTarget)
class RateTargetAdmin(admin.ModelAdmin):
    """The 三率 targets the leader's overview measures departments against: one row per
    rate, edited, never added or deleted."""

    list_display = ["rate", "percent"]
    list_editable = ["percent"]
    list_display_links = None

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PetitionEvent
    fields = [
        "created_at",
        "kind",
        "from_status",
        "to_status",
        "actor",
        "note",
        "is_public",
    ]
    readonly_fields = fields
    extra = 0
    ordering = ["created_at", "pk"]


class AttachmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PetitionAttachment
    fields = ["original_name", "content_type", "size", "uploaded_by", "created_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Petition)
class PetitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "enterprise",
        "channel",
        "category",
        "status",
        "department",
        "due_on",
        "created_at",
    ]
    list_filter = [
        "status",
        "channel",
        "category",
        "priority",
        "department",
        "created_at",
    ]
    list_select_related = ["enterprise", "category", "department"]
    search_fields = ["number", "title", "enterprise__name"]
    date_hierarchy = "created_at"
    readonly_fields = ["portal_link"]
    inlines = [AttachmentInline, EventInline]
    show_full_result_count = False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("petitions.view_petition")

    @admin.display(description=_("on the portal"))
    def portal_link(self, obj: Petition) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("petitions:staff_detail", args=[obj.pk]),
            _("Open the petition"),
        )

    def get_fields(self, request, obj=None):
        return [
            "portal_link",
            *[f.name for f in Petition._meta.fields if f.name != "id"],
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


@admin.register(PetitionEvent)
class PetitionEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "petition",
        "kind",
        "from_status",
        "to_status",
        "actor",
        "is_public",
    ]
    list_filter = ["kind", "to_status", "is_public"]
    list_select_related = ["petition", "actor"]
    search_fields = ["petition__number", "note"]
    show_full_result_count = False


@admin.register(ReviewRun)
class ReviewRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "period_start", "period_end", "started_at", "finished_at"]
    list_filter = ["kind"]
    date_hierarchy = "period_start"


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "petition",
        "reason",
        "department",
        "age_working_days",
        "overdue_working_days",
        "created_at",
    ]
    list_filter = ["reason", "department"]
    list_select_related = ["petition", "department"]
    search_fields = ["petition__number", "petition__title"]


@admin.register(IntakeBatch)
class IntakeBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "channel", "source", "size", "created_by"]
    list_select_related = ["created_by"]


@admin.register(OpinionSheet)
class OpinionSheetAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """征求意见表 printed: each number, its session, and the petition it became."""

    list_display = ["number", "activity", "printed_at", "printed_by", "petition"]
    list_select_related = ["activity", "printed_by", "petition"]
    list_filter = ["activity"]
    search_fields = ["number"]
