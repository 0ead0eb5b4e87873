from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Case, OuterRef, Prefetch, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from chamber import documents, method_kinds, method_rules, outbox, workdays
from chamber.channels.short_forms import SHORT_FORMS
from chamber.models import (
    Department,
    DocumentTemplate,
    Heartbeat,
    MethodKind,
    MethodRule,
    NoticeChannels,
    Official,
    OutgoingMessage,
    UrgentKind,
    User,
    WorkdayOverride,
)
from chamber.outbox_kinds import kind_label


class OfficialInline(admin.StackedInline):
    model = Official
    fk_name = "user"
    extra = 0
    max_num = 1
    autocomplete_fields = ["department"]


class NoticeChannelsInline(admin.TabularInline):
    """The kinds of notice for which the person chose channels other than the default."""

    model = NoticeChannels
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "full_name",
        "email",
        "is_active",
        "is_staff",
        "handles_petitions",
        "mobile",
        "last_login",
    ]
    list_filter = [
        "is_staff",
        "handles_petitions",
        "is_superuser",
        "is_active",
        "language",
    ]
    search_fields = ["username", "full_name", "email", "mobile"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "email", "language"]}),
        # Who among the staff hears of replies, returns, 批示… (petitions/emails.py).
        (
            _("Petition notices"),
            {"fields": ["handles_petitions", "petition_digest"]},
        ),
        # SMS and WeChat (chamber/channels/): staff correct a number here.
        (
            _("SMS and WeChat"),
            {
                "fields": [
                    "mobile",
                    "mobile_verified_at",
                    "sms_refused",
                    "sms_opt_out",
                    "wecom_userid",
                    "wechat_openid",
                    "wechat_refused",
                ]
            },
        ),
        (
            _("Permissions"),
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (
            _("Important dates"),
            {"fields": ["last_login", "date_joined"], "classes": ["collapse"]},
        ),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "full_name", "email", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined", "mobile_verified_at"]
    inlines = [OfficialInline, NoticeChannelsInline]

    def save_model(self, request, obj, form, change) -> None:
        if "mobile" in form.changed_data:
            # Staff confirm a number they enter (by phone, in person): it counts as
            # verified, and the provider's old refusal no longer applies.
            obj.mobile_verified_at = timezone.now() if obj.mobile else None
            obj.sms_refused = ""
        super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            # Otherwise staff could set a superuser's password and log in as them.
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Secretariat staff manage accounts but cannot hand out superuser rights or raw permissions.
            fields += ["is_superuser", "user_permissions"]
        return fields


class DepartmentOfficialInline(admin.TabularInline):
    model = Official
    fk_name = "department"
    fields = ["user", "position", "phone", "is_liaison", "is_active"]
    autocomplete_fields = ["user"]
    extra = 0
    verbose_name_plural = _("officials of this department")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "short_name",
        "phone",
        "email",
        "liaison",
        "is_active",
        "sort_order",
    ]
    list_editable = ["sort_order"]
    list_filter = ["is_active"]
    search_fields = ["name", "short_name"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "is_active", "sort_order"]}),
        (_("Contact"), {"fields": ["phone", "email", "address"]}),
        (_("Responsibilities"), {"fields": ["duties"]}),
    ]
    inlines = [DepartmentOfficialInline]

    def get_queryset(self, request):
        liaisons = Official.objects.filter(is_liaison=True).select_related("user")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("officials", queryset=liaisons, to_attr="liaisons")
            )
        )

    @admin.display(description=_("liaison"))
    def liaison(self, obj: Department) -> str:
        return ", ".join(str(o.user) for o in obj.liaisons) or "—"


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "department",
        "position",
        "phone",
        "is_liaison",
        "is_leader",
        "is_active",
    ]
    list_filter = ["is_liaison", "is_leader", "is_active", "department"]
    search_fields = ["user__full_name", "user__username", "department__name", "phone"]
    list_select_related = ["user", "department"]
    autocomplete_fields = ["user", "department"]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "beat_at"]
    readonly_fields = ["name", "beat_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "day"
    search_fields = ["note"]

    def changelist_view(self, request, extra_context=None):
        # Tell staff which coming years still lack the State Council's holiday schedule.
        this_year = timezone.localdate().year
        for year in (this_year, this_year + 1):
            if not workdays.year_has_official_schedule(year):
                self.message_user(
                    request,
                    _(
                        "The official holiday schedule of %(year)d (its make-up working "
                        "days) is not known yet: enter it here when it is published."
                    )
                    % {"year": year},
                    level=messages.WARNING,
                )
        return super().changelist_view(request, extra_context)


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(admin.ModelAdmin):
    """The outbox, read only: what went out, what waits and why; never deleted."""

    list_display = (
        "created_at",
        "channel",
        "kind",
        "address",
        "status",
        "attempts",
        "last_error",
        "sent_at",
    )
    list_filter = ("status", "channel", "kind")
    search_fields = ("address", "key", "subject")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    actions = ("resend", "cancel")
    readonly_fields = [f.name for f in OutgoingMessage._meta.fields]

    def get_fields(self, request, obj=None) -> list[str]:
        fields = [f.name for f in OutgoingMessage._meta.fields]
        if obj is not None and obj.body_is_secret:
            fields = [f for f in fields if f not in ("body_text", "body_html")]
        return fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Send the selected messages again"))
    def resend(self, request, queryset) -> None:
        count = outbox.resend(queryset)
        self.message_user(
            request, _("%(n)d messages queued again.") % {"n": count}, messages.SUCCESS
        )

    @admin.action(description=_("Cancel the selected messages not sent yet"))
    def cancel(self, request, queryset) -> None:
        count = outbox.cancel(queryset)
        self.message_user(
            request, _("%(n)d messages cancelled.") % {"n": count}, messages.SUCCESS
        )


class UrgentKindForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label=pgettext_lazy("message", "kind"),
        choices=lambda: [
            (kind, kind_label(kind)) for kind in SHORT_FORMS if kind != "sms-code"
        ],
    )

    class Meta:
        model = UrgentKind
        fields = ["kind"]


@admin.register(UrgentKind)
class UrgentKindAdmin(admin.ModelAdmin):
    """Kinds of notice whose SMS may go out between 22:00 and 08:00 (chamber/channels/rules.py)."""

    form = UrgentKindForm
    list_display = ["__str__", "kind"]


class MethodRuleForm(forms.ModelForm):
    """The value only, labelled and bounded as its rule says (chamber/method_rules.py),
    and why it changes, kept in the rule's history."""

    reason = forms.CharField(
        label=_("reason for the change"),
        max_length=100,
        required=False,
        help_text=_(
            "Shown in the rule's history, e.g. the year's revision of the method."
        ),
    )

    class Meta:
        model = MethodRule
        fields = ["value"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        definition = method_rules.BY_KEY.get(self.instance.key)
        if definition is not None:
            field = self.fields["value"]
            field.label = definition.label
            field.help_text = definition.help_text
            field.widget.attrs.update(min=definition.minimum, max=definition.maximum)


@admin.register(MethodRule)
class MethodRuleAdmin(SimpleHistoryAdmin):
    """工作法规则: staff change a rule's value; its history says who changed what, when.
    The rules are seeded (chamber/migrations/0013_method_rules_defaults.py): none is
    added or deleted here."""

    form = MethodRuleForm
    list_display = ["key", "value", "unit", "help", "changed_by", "changed_at"]
    fields = ["value", "unit", "allowed", "reason"]
    readonly_fields = ["unit", "allowed"]
    history_list_display = ["value"]

    def get_queryset(self, request):
        # The last change by staff ("~"); the seeded default ("+") is no change.
        latest = MethodRule.history.filter(
            id=OuterRef("pk"), history_type="~"
        ).order_by("-history_date", "-history_id")
        return (
            super()
            .get_queryset(request)
            .annotate(
                changed_at=Subquery(latest.values("history_date")[:1]),
                changed_by_name=Subquery(latest.values("history_user__full_name")[:1]),
                changed_by_username=Subquery(
                    latest.values("history_user__username")[:1]
                ),
            )
        )

    def get_ordering(self, request) -> list:
        """The rules' own order (chamber/method_rules.py)."""
        definitions = method_rules.DEFINITIONS
        return [
            Case(
                *(When(key=d.key, then=Value(n)) for n, d in enumerate(definitions)),
                default=Value(len(definitions)),
            )
        ]

    def save_model(self, request, obj, form, change) -> None:
        obj._change_reason = form.cleaned_data.get("reason", "")
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("unit"))
    def unit(self, obj: MethodRule) -> str:
        definition = method_rules.BY_KEY.get(obj.key)
        return definition.unit.label if definition else "—"

    @admin.display(description=_("what it does"))
    def help(self, obj: MethodRule) -> str:
        definition = method_rules.BY_KEY.get(obj.key)
        return definition.help_text if definition else ""

    @admin.display(description=_("allowed values"))
    def allowed(self, obj: MethodRule) -> str:
        definition = obj.definition
        return _("from %(minimum)d to %(maximum)d") % {
            "minimum": definition.minimum,
            "maximum": definition.maximum,
        }

    @admin.display(description=_("last changed by"))
    def changed_by(self, obj: MethodRule) -> str | None:
        if obj.changed_at is None:
            return None  # never changed: the admin's empty value
        return obj.changed_by_name or obj.changed_by_username

    @admin.display(description=_("last changed"), ordering="changed_at")
    def changed_at(self, obj: MethodRule):
        return obj.changed_at


@admin.register(MethodKind)
class MethodKindAdmin(SimpleHistoryAdmin):
    """The method's lists (+N): petition channels, campaign kinds, platform kinds. Staff
    add, rename, order and retire entries; the code stays as saved (records keep it);
    nothing is deleted. The history says who changed what, when."""

    list_display = ["label", "group", "code", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["group", "is_active"]
    history_list_display = ["name", "is_active", "sort_order"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return ["group", "code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=pgettext_lazy("name of a thing", "name"))
    def label(self, obj: MethodKind) -> str:
        return obj.name or str(method_kinds.built_in(obj.group).get(obj.code, obj.code))


class DocumentTemplateForm(forms.ModelForm):
    """The replacement's file; refused unless it renders the document's sample."""

    upload = forms.FileField(
        label=_("template file"),
        help_text=_(
            "Download the built-in template below, change it, upload it here. A file "
            "that cannot make the document is refused; delete the replacement to go "
            "back to the built-in template."
        ),
    )

    class Meta:
        model = DocumentTemplate
        fields = ["key", "format"]

    MAX_BYTES = 2 * 1024 * 1024

    def clean(self):
        data = super().clean()
        upload, key, fmt = data.get("upload"), data.get("key"), data.get("format")
        if not (upload and key and fmt):
            return data
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("A template is at most 2 MB."))
        kind = documents.KINDS.get(key)
        if kind is None or not getattr(kind, fmt):
            raise forms.ValidationError(
                _("This document has no template of that format.")
            )
        content = upload.read()
        try:
            documents.check_replacement(key, fmt, content)
        except documents.DocumentError as exc:
            raise forms.ValidationError(
                _("This template cannot make the document: %(error)s")
                % {"error": str(exc)[:300]}
            ) from exc
        self.instance.content = content
        self.instance.file_name = upload.name[:200]
        return data


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(SimpleHistoryAdmin):
    """Document templates (+N): staff download a built-in template, change it and upload
    it as the replacement; the built-in one stays as the fallback."""

    form = DocumentTemplateForm
    list_display = ["key", "format", "file_name", "uploaded_by", "uploaded_at"]
    readonly_fields = ["built_in_files"]
    fields = ["key", "format", "upload", "built_in_files"]

    def save_model(self, request, obj, form, change) -> None:
        obj.uploaded_by = request.user
        obj.uploaded_at = timezone.now()
        super().save_model(request, obj, form, change)

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "built-in/<str:key>/<str:fmt>/",
                self.admin_site.admin_view(self.built_in_view),
                name="chamber_documenttemplate_built_in",
            ),
            *super().get_urls(),
        ]

    def built_in_view(self, request, key: str, fmt: str):
        from django.http import Http404

        kind = documents.KINDS.get(key)
        if kind is None or fmt not in ("html", "docx") or not getattr(kind, fmt):
            raise Http404
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        content_type = documents.DOCX if fmt == "docx" else "text/html; charset=utf-8"
        return documents.download(
            documents.built_in(key, fmt),
            filename=f"{kind.label}.{fmt}",
            content_type=content_type,
        )

    @admin.display(description=_("built-in templates"))
    def built_in_files(self, obj=None):
        from django.urls import reverse
        from django.utils.html import format_html_join

        rows = [
            (
                reverse("admin:chamber_documenttemplate_built_in", args=[k.key, fmt]),
                f"{k.label} · {fmt}",
            )
            for k in documents.KINDS.values()
            for fmt in ("html", "docx")
            if getattr(k, fmt)
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', rows) or "—"
