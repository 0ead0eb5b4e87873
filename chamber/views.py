from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView

from chamber import health, selectors
from chamber.decorators import role_required, staff_required
from chamber.models import Department, Official
from chamber.roles import Role, roles_of


def home(request: HttpRequest) -> HttpResponse:
    """What the chamber is, who is on duty this week, and the user's own corner."""
    return render(request, "chamber/home.html")


@staff_required
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    """The secretariat's starting page: the state of the portal and the way to each task."""
    context = {
        "last_year": timezone.localdate().year - 1,
        "worker": selectors.worker_status(),
        "counts": {
            "users": get_user_model().objects.filter(is_active=True).count(),
            "departments": Department.objects.filter(is_active=True).count(),
            "officials": Official.objects.filter(is_active=True).count(),
        },
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
    """200 when the database and the broker answer, 503 otherwise; names no versions or secrets."""
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    status = 200 if all(checks.values()) else 503
    body = {name: "ok" if ok else "unavailable" for name, ok in checks.items()}
    return JsonResponse(
        {"status": "ok" if status == 200 else "unavailable", **body}, status=status
    )


class FaviconView(RedirectView):
    """/favicon.ico → the portal's icon (a static file)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("img/favicon.svg")
