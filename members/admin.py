from collections import Counter

from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from chamber.exports import SpreadsheetAdminMixin
from members import invitations
from members.duty_log_selectors import WITH_APPEAL
from members.models import (
    ChamberTitle,
    DutyLogAttachment,
    DutyLogEntry,
    Enterprise,
    Industry,
    Member,
    TitleTerm,
)
from members.resources import EnterpriseResource, MemberResource


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order", "enterprise_count"]
    list_editable = ["sort_order"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_enterprises=Count("enterprises"))

    @admin.display(description=_("enterprises"), ordering="_enterprises")
    def enterprise_count(self, obj: Industry) -> int:
        return obj._enterprises


@admin.register(Enterprise)
class EnterpriseAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "credit_code",
        "industry",
        "area",
        "status",
        "joined_on",
        "member_count",
    ]
    list_filter = ["area", "industry", "status", "size"]
    search_fields = ["name", "credit_code", "legal_representative"]
    list_select_related = ["industry"]
    autocomplete_fields = ["industry"]
    readonly_fields = ["created_at", "updated_at", "updated_by"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "credit_code",
                    "industry",
                    "area",
                    "size",
                    "status",
                    "joined_on",
                ]
            },
        ),
        (
            _("Contact and profile"),
            {
                "fields": [
                    "legal_representative",
                    "address",
                    "phone",
                    "website",
                    "introduction",
                ]
            },
        ),
        (
            pgettext_lazy("admin section", "Record"),
            {
                "fields": ["created_at", "updated_at", "updated_by"],
                "classes": ["collapse"],
            },
        ),
    ]
    resource_classes = [EnterpriseResource]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("members"))

    def get_search_results(self, request, queryset, search_term):
        # The autocompletes pick a member's enterprise or a platform's member
        # enterprises: a non-member enterprise is neither until staff admit it.
        if getattr(request.resolver_match, "url_name", "") == "autocomplete":
            queryset = queryset.exclude(status=Enterprise.Status.PROSPECT)
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("members"), ordering="_members")
    def member_count(self, obj: Enterprise) -> int:
        return obj._members

    def save_model(self, request, obj, form, change):
        if change:
            obj.updated_at = timezone.now()
            obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class TitleTermInline(admin.TabularInline):
    model = TitleTerm
    fields = ["title", "starts_on", "ends_on"]
    autocomplete_fields = ["title"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("title")


class AccountFilter(admin.SimpleListFilter):
    """Where a member's login stands: the staff pick who still needs an invitation."""

    title = _("account")
    parameter_name = "account"

    def lookups(self, request, model_admin):
        return [
            ("not_invited", _("not invited yet")),
            ("invited", _("invited, not logged in yet")),
            ("active", _("has logged in")),
        ]

    def queryset(self, request, queryset):
        never = queryset.filter(user__last_login__isnull=True)
        if self.value() == "not_invited":
            return never.filter(invited_at__isnull=True)
        if self.value() == "invited":
            return never.filter(invited_at__isnull=False)
        if self.value() == "active":
            return queryset.filter(user__last_login__isnull=False)
        return queryset


@admin.register(Member)
class MemberAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    list_display = [
        "full_name",
        "mobile",
        "enterprise",
        "enterprise_area",
        "position",
        "titles_now",
        "invited_at",
        "last_login",
    ]
    list_filter = [
        AccountFilter,
        "enterprise__area",
        "enterprise__industry",
        "enterprise__status",
        "titles__title",
    ]
    search_fields = [
        "user__full_name",
        "user__username",
        "user__email",
        "mobile",
        "enterprise__name",
        "enterprise__credit_code",
    ]
    list_select_related = ["user", "enterprise"]
    autocomplete_fields = ["user", "enterprise"]
    readonly_fields = ["invited_at", "created_at", "last_login"]
    fieldsets = [
        (None, {"fields": ["user", "enterprise", "position"]}),
        (_("Contact"), {"fields": ["mobile", "show_phone", "show_email"]}),
        (
            _("Account"),
            {"fields": ["invited_at", "last_login", "created_at"]},
        ),
    ]
    inlines = [TitleTermInline]
    actions = ["send_invitations"]
    resource_classes = [MemberResource]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("titles__title")

    @admin.display(description=_("full name"), ordering="user__full_name")
    def full_name(self, obj: Member) -> str:
        return str(obj.user)

    @admin.display(description=_("area"), ordering="enterprise__area")
    def enterprise_area(self, obj: Member) -> str:
        return obj.enterprise.get_area_display()

    @admin.display(description=_("chamber titles"))
    def titles_now(self, obj: Member) -> str:
        return "、".join(t.title.name for t in obj.current_titles(timezone.localdate()))

    @admin.display(description=_("last login"), ordering="user__last_login")
    def last_login(self, obj: Member):
        return obj.user.last_login

    @admin.action(
        description=_("Send invitation e-mails to the selected members"),
        permissions=["change"],
    )
    def send_invitations(self, request, queryset):
        members = list(queryset.select_related("user"))
        skipped = Counter(invitations.skip_reason(m) for m in members)
        sent = invitations.send_invitations(members=members, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d invitation e-mail was sent.",
                "%(count)d invitation e-mails were sent.",
                sent,
            )
            % {"count": sent},
            messages.SUCCESS if sent else messages.WARNING,
        )
        if len(members) > sent:
            self.message_user(
                request,
                _(
                    "Skipped: %(no_email)d without an e-mail address, "
                    "%(active)d already using their account, %(disabled)d with a disabled account."
                )
                % {
                    "no_email": skipped[invitations.NO_EMAIL],
                    "active": skipped[invitations.ALREADY_ACTIVE],
                    "disabled": skipped[invitations.DISABLED],
                },
                messages.WARNING,
            )


@admin.register(ChamberTitle)
class ChamberTitleAdmin(admin.ModelAdmin):
    list_display = ["name", "takes_duty", "sort_order"]
    list_editable = ["takes_duty", "sort_order"]
    search_fields = ["name"]


from members import admin_rota  # noqa: E402, F401  (the rota admin registers itself)


class AppealFilter(admin.SimpleListFilter):
    title = _("appeal")
    parameter_name = "appeal"

    def lookups(self, request, model_admin):
        return [("yes", _("with an appeal")), ("no", _("without an appeal"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(WITH_APPEAL)
        if self.value() == "no":
            return queryset.exclude(WITH_APPEAL)
        return queryset


class DutyLogAttachmentInline(admin.TabularInline):
    model = DutyLogAttachment
    fields = ["download", "content_type", "size", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file name"))
    def download(self, obj: DutyLogAttachment) -> str:
        # Through the checked download view: MEDIA_URL is never served.
        url = reverse("members:log_attachment", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


@admin.register(DutyLogEntry)
class DutyLogEntryAdmin(admin.ModelAdmin):
    """The duty log, read-only: entries are written by the representative on duty."""

    list_display = [
        "visited_at",
        "visitor_name",
        "enterprise_shown",
        "subject",
        "representative",
        "has_appeal_shown",
    ]
    list_filter = [AppealFilter, ("shift", admin.RelatedOnlyFieldListFilter)]
    search_fields = [
        "visitor_name",
        "visitor_enterprise",
        "enterprise__name",
        "subject",
        "appeal",
    ]
    list_select_related = ["shift__representative__user", "enterprise"]
    date_hierarchy = "visited_at"
    fields = [
        "shift",
        "visited_at",
        "visitor_name",
        "enterprise",
        "visitor_enterprise",
        "visitor_phone",
        "subject",
        "notes",
        "appeal",
        "recorded_by",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [DutyLogAttachmentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("enterprise"), ordering="visitor_enterprise")
    def enterprise_shown(self, obj: DutyLogEntry) -> str:
        return obj.enterprise.name if obj.enterprise else obj.visitor_enterprise

    @admin.display(description=_("representative"))
    def representative(self, obj: DutyLogEntry) -> str:
        member = obj.shift.representative
        return str(member.user) if member else "—"

    @admin.display(description=_("appeal"), boolean=True)
    def has_appeal_shown(self, obj: DutyLogEntry) -> bool:
        return obj.has_appeal
