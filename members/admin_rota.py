"""Admin of the duty rota: the studio, weeks with their history, unavailability, swaps, feeds.

Who is on duty changes only through the staff rota page and the services, which record
each change; here the weeks are read-only.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from members.models import (
    CalendarFeed,
    DutyShift,
    DutyStudio,
    ShiftChange,
    SwapRequest,
    Unavailability,
)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DutyStudio)
class DutyStudioAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "hours"]


class ShiftChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ShiftChange
    fields = ["created_at", "kind", "from_member", "to_member", "actor", "note"]
    readonly_fields = fields
    extra = 0


@admin.register(DutyShift)
class DutyShiftAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["week_start", "first_day", "last_day", "representative", "source"]
    list_filter = ["source", "week_start"]
    search_fields = ["representative__user__full_name"]
    list_select_related = ["representative__user"]
    date_hierarchy = "week_start"
    inlines = [ShiftChangeInline]

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff


@admin.register(Unavailability)
class UnavailabilityAdmin(admin.ModelAdmin):
    list_display = ["member", "starts_on", "ends_on", "reason"]
    list_select_related = ["member__user"]
    search_fields = ["member__user__full_name"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["member"]


@admin.register(SwapRequest)
class SwapRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "shift",
        "requested_by",
        "status",
        "accepted_by",
        "created_at",
        "resolved_at",
    ]
    list_filter = ["status"]
    list_select_related = ["shift", "requested_by__user", "accepted_by__user"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "created_at", "revoked_at"]
    list_filter = ["kind", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["user", "kind", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Stop the selected calendar links"))
    def revoke(self, request, queryset):
        from django.utils import timezone

        n = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("%(n)d links stopped.") % {"n": n})
