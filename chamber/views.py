from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import RedirectView

from chamber import health, outbox, selectors
from chamber.decorators import role_required, staff_required
from chamber.forms import OutboxFilterForm, OutboxSelectionForm
from chamber.models import Department, Official, OutgoingMessage
from chamber.roles import Role, roles_of
from chamber.text import search_words

OUTBOX_PAGE_SIZE = 25


def home(request: HttpRequest) -> HttpResponse:
    """What the chamber is, who is on duty this week, and the user's own corner."""
    return render(request, "chamber/home.html")


class LoginView(auth_views.LoginView):
    """Log in; staff land on their dashboard (今日待办), district leaders on their
    figures (领导看板), everyone else on the home page, unless a `next` on this site
    says where to go. A leader who is staff too lands on the staff's day."""

    def get_default_redirect_url(self) -> str:
        roles = roles_of(self.request.user)
        if roles.is_staff:
            return reverse("staff_dashboard")
        if roles.is_leader:
            return reverse("petitions:leader_home")
        return super().get_default_redirect_url()


@staff_required
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    """The secretariat's starting page: today's work first (今日待办, from the apps'
    template tags), then the week, the state of the portal and the way to each task."""
    context = {
        "last_year": timezone.localdate().year - 1,
        "worker": selectors.worker_status(),
        "outbox": selectors.outbox_status(),
        "outbox_late_minutes": int(selectors.OUTBOX_LATE_AFTER.total_seconds() // 60),
        "sms_daily_cap": settings.SMS_DAILY_CAP,
    }
    return render(request, "chamber/staff_dashboard.html", context)


@role_required(Role.OFFICIAL, Role.LEADER, Role.STAFF)
def departments(request: HttpRequest) -> HttpResponse:
    """An official sees their own department; leaders and staff see every department."""
    official = roles_of(request.user).official
    shown = Department.objects.filter(is_active=True).prefetch_related(
        Prefetch(
            "officials",
            queryset=Official.objects.filter(is_active=True)
            .select_related("user")
            .order_by("-is_liaison", "user__full_name"),
        )
    )
    if not (roles_of(request.user).is_leader or roles_of(request.user).is_staff):
        shown = shown.filter(pk=official.department_id)
    return render(request, "chamber/department_list.html", {"departments": list(shown)})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 otherwise; with the age of the
    oldest due message and of the last worker heartbeat (a stuck worker shows there).
    Names no versions or secrets."""
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    status = 200 if all(checks.values()) else 503
    body = {name: "ok" if ok else "unavailable" for name, ok in checks.items()}
    if checks["database"]:
        ages = health.ages()
    else:
        ages = {"oldest_due_message_seconds": None, "last_heartbeat_seconds": None}
    return JsonResponse(
        {"status": "ok" if status == 200 else "unavailable", **body, **ages},
        status=status,
    )


# --- the outbox (staff) -----------------------------------------------------------------

OUTBOX_FILTERS = ("q", "status", "kind", "page")
OUTBOX_ACTIONS = ("resend", "cancel")


def _outbox_url(back: str = "") -> str:
    """The outbox page with the list's filters of `back` (a query string), and no more."""
    given, kept = QueryDict(back), QueryDict(mutable=True)
    for name in OUTBOX_FILTERS:
        if given.get(name):
            kept[name] = given[name][:100]
    query = kept.urlencode()
    return reverse("outbox") + (f"?{query}" if query else "")


def _get_message_for_staff(pk: int) -> OutgoingMessage:
    return get_object_or_404(OutgoingMessage.objects.select_related("user"), pk=pk)


@staff_required
def outbox_list(request: HttpRequest) -> HttpResponse:
    """Every outgoing message, newest first, filtered by status, channel, kind and
    recipient."""
    form = OutboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    shown = selectors.outbox_messages(
        status=filters.get("status") or "",
        kind=filters.get("kind") or "",
        channel=filters.get("channel") or "",
        recipient=search_words(filters.get("q") or "", limit=100),
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": Paginator(shown, OUTBOX_PAGE_SIZE).get_page(request.GET.get("page")),
        "query_string": query.urlencode(),
        "back": request.GET.urlencode(),
    }
    return render(request, "chamber/outbox_list.html", context)


@staff_required
def outbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One message: its text, its history and what staff may do with it."""
    context = {"message": _get_message_for_staff(pk)}
    return render(request, "chamber/outbox_detail.html", context)


def _act_on_messages(request: HttpRequest, action: str, chosen) -> None:
    """Send the chosen messages again or cancel them; say how many, or why none."""
    if action == "resend":
        count = outbox.resend(chosen)
        done = ngettext(
            "%(n)d message will be sent again.",
            "%(n)d messages will be sent again.",
            count,
        )
        none = _(
            "None of them can be sent again: only failed or cancelled messages "
            "with an address can."
        )
    else:
        count = outbox.cancel(chosen)
        done = ngettext("%(n)d message cancelled.", "%(n)d messages cancelled.", count)
        none = _("None of them can be cancelled: only queued or failed messages can.")
    if count:
        messages.success(request, done % {"n": count})
    else:
        messages.warning(request, none)


@require_POST
@staff_required
def outbox_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """重新发送 or 取消 one message, from its page."""
    if action not in OUTBOX_ACTIONS:
        raise Http404
    message = _get_message_for_staff(pk)
    _act_on_messages(request, action, OutgoingMessage.objects.filter(pk=message.pk))
    return redirect("outbox_detail", pk=message.pk)


@require_POST
@staff_required
def outbox_bulk(request: HttpRequest, action: str) -> HttpResponse:
    """重新发送 or 取消 the messages ticked on the list (or the one whose button was
    pressed); back to the list as it was filtered."""
    if action not in OUTBOX_ACTIONS:
        raise Http404
    form = OutboxSelectionForm(request.POST)
    if form.is_valid() and form.chosen().exists():
        _act_on_messages(request, action, form.chosen())
    else:
        messages.error(request, _("Tick at least one message first."))
    return redirect(_outbox_url(form.cleaned_data.get("back", "")))


class FaviconView(RedirectView):
    """/favicon.ico → the portal's icon (a static file)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("img/favicon.svg")
