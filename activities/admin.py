from django.contrib import admin
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from activities import services
from activities.forms import ActivityPhotoForm
from activities.models import (
    Activity,
    ActivityPhoto,
    ActivityType,
    Attendance,
    Awareness,
    Campaign,
    Platform,
    Registration,
    Series,
)


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order"]
    search_fields = ["name", "code"]


@admin.register(Awareness)
class AwarenessAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order"]


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "theme", "founding_status"]
    list_filter = ["kind", "founding_status"]
    search_fields = ["name", "theme"]
    autocomplete_fields = ["enterprises", "members"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "starts_on", "ends_on"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "last_number"]
    readonly_fields = ["last_number"]


class RegistrationInline(admin.TabularInline):
    model = Registration
    fields = ["member", "status", "created_at", "promoted_at", "cancelled_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ["member", "checked_in_at", "checked_in_by", "undone_at", "undone_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ActivityPhotoInline(admin.TabularInline):
    model = ActivityPhoto
    form = ActivityPhotoForm
    fields = ["image", "caption", "sort_order"]
    extra = 1


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "type",
        "starts_at",
        "status",
        "scale",
        "capacity",
        "registered",
    ]
    list_filter = ["status", "type", "scale", "platform", "campaign", "series"]
    search_fields = ["title", "topic", "place"]
    list_select_related = ["type", "series"]
    autocomplete_fields = ["organisers", "organising_group", "co_hosts"]
    filter_horizontal = ["awareness"]
    readonly_fields = [
        "status",
        "session_number",
        "created_at",
    ]  # changed by the actions below
    date_hierarchy = "starts_at"
    inlines = [ActivityPhotoInline, RegistrationInline, AttendanceInline]
    actions = ["publish", "withdraw", "cancel"]
    fieldsets = [
        (None, {"fields": ["title", "type", "scale", "status", "is_public"]}),
        (
            _("When and where"),
            {"fields": ["starts_at", "ends_at", "place", "platform"]},
        ),
        (
            _("Sign-up"),
            {"fields": ["capacity", "signup_opens_at", "signup_closes_at"]},
        ),
        (
            _("Organisers"),
            {
                "fields": [
                    "organising_group",
                    "organisers",
                    "co_hosts",
                    "campaign",
                    "series",
                    "session_number",
                    "topic",
                ]
            },
        ),
        (_("Content"), {"fields": ["description", "awareness", "writeup"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _registered=Count(
                    "registrations",
                    filter=Q(registrations__status=Registration.Status.REGISTERED),
                )
            )
        )

    @admin.display(description=_("registered"), ordering="_registered")
    def registered(self, obj: Activity) -> int:
        return obj._registered

    def _each(self, request, queryset, service) -> int:
        """Run a service on each activity; say why for each refused; count the done."""
        done = 0
        for activity in queryset:
            try:
                service(activity=activity, actor=request.user)
                done += 1
            except services.ActivityError as exc:
                self.message_user(
                    request,
                    _("%(name)s: %(error)s") % {"name": activity, "error": exc},
                    level="error",
                )
        return done

    @admin.action(description=_("Publish the selected activities"))
    def publish(self, request, queryset):
        done = self._each(request, queryset, services.publish_activity)
        if done:
            self.message_user(request, _("%(n)d activities published.") % {"n": done})

    @admin.action(description=_("Withdraw the selected activities (back to draft)"))
    def withdraw(self, request, queryset):
        done = self._each(request, queryset, services.withdraw_activity)
        if done:
            self.message_user(request, _("%(n)d activities withdrawn.") % {"n": done})

    def response_change(self, request, obj):
        """The change page's 发布 and 撤回 buttons run the list's actions on this activity."""
        for button, action in (
            ("_publish", self.publish),
            ("_withdraw", self.withdraw),
        ):
            if button in request.POST:
                action(request, Activity.objects.filter(pk=obj.pk))
                return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    @admin.action(
        description=_("Cancel the selected activities and tell those registered")
    )
    def cancel(self, request, queryset):
        for activity in queryset:
            services.cancel_activity(activity=activity, actor=request.user)
        self.message_user(
            request, _("%(n)d activities cancelled.") % {"n": queryset.count()}
        )
