from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from chamber import pagecache
from chamber.decorators import member_required, role_required, staff_required
from chamber.roles import Role, roles_of
from members import selectors, services
from members.forms import (
    AdmitForm,
    DirectoryFilterForm,
    EnterpriseContactForm,
    ProfileForm,
)
from members.models import Enterprise, Member

DIRECTORY_PAGE_SIZE = 20


def _own_member(request: HttpRequest) -> Member:
    member = roles_of(request.user).member
    if member is None:
        raise Http404
    return member


def _get_enterprise_for_member(request: HttpRequest, pk: int) -> Enterprise:
    """The enterprise, if the user is one of its members; 404 otherwise."""
    if _own_member(request).enterprise_id != pk:
        raise Http404
    return get_object_or_404(Enterprise.objects.select_related("industry"), pk=pk)


# The directory and a member's page are the same for every reader: kept in the cache
# under the directory's version (chamber/pagecache.py), which saving a member, user,
# enterprise, title, term or award replaces (members.apps, groups.apps).
DIRECTORY = selectors.DIRECTORY_SCOPE
DIRECTORY_ASKS = ("q", "area", "title", "page")


@role_required(Role.MEMBER, Role.STAFF)
def directory(request: HttpRequest) -> HttpResponse:
    """Members see each other's names, enterprises and titles; contacts only where allowed."""
    # What the page depends on, and nothing else a link may carry (no key per stray
    # parameter in the cache).
    asked = tuple((key, tuple(request.GET.getlist(key))) for key in DIRECTORY_ASKS)
    html = pagecache.fragment(
        "directory", asked, build=lambda: _directory(request), scope=DIRECTORY
    )
    return render(request, "members/member_list.html", {"directory": html})


def _directory(request: HttpRequest) -> str:
    form = DirectoryFilterForm(request.GET or None)
    form.is_valid()  # a bad value drops that filter only; the valid ones still apply
    filters = getattr(form, "cleaned_data", {})
    members = selectors.member_directory(
        on=timezone.localdate(),
        query=filters.get("q", ""),
        area=filters.get("area", ""),
        title_id=filters["title"].pk if filters.get("title") else None,
    )
    page = Paginator(members, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = QueryDict(mutable=True)
    for key in DIRECTORY_ASKS:
        if key != "page" and key in request.GET:
            query.setlist(key, request.GET.getlist(key))
    context = {"form": form, "page": page, "query_string": query.urlencode()}
    return render_to_string("members/includes/directory.html", context)


@role_required(Role.MEMBER, Role.STAFF)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    name, html = pagecache.titled_or_404(
        "member", pk, build=lambda: _detail(pk), scope=DIRECTORY
    )
    return render(request, "members/member_detail.html", {"name": name, "detail": html})


def _detail(pk: int):
    today = timezone.localdate()
    members = Member.objects.in_directory().select_related(
        "user", "enterprise", "enterprise__industry"
    )
    member = (
        members.prefetch_related(selectors.current_terms(on=today))
        .filter(pk=pk)
        .first()
    )
    if member is None:  # not in the directory
        return None
    html = render_to_string("members/includes/member_detail.html", {"member": member})
    return member.user.get_full_name(), html


@member_required
def profile(request: HttpRequest) -> HttpResponse:
    """My profile: contact details and privacy choices; enterprise and titles are staff's."""
    member = _own_member(request)
    form = ProfileForm(request.POST or None, instance=member, request=request)
    if request.method == "POST" and form.is_valid():
        changes = {
            k: v for k, v in form.cleaned_data.items() if k != "current_password"
        }
        services.update_member_profile(member=member, actor=request.user, **changes)
        messages.success(request, _("Your profile was saved."))
        return redirect("members:profile")
    return render(request, "members/member_form.html", {"form": form, "member": member})


@member_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _own_member(request)
    if member.enterprise_id != pk:
        raise Http404
    # The logged-in member's enterprise came with them (chamber.backends: saving the
    # enterprise forgets it there), its industry too: no query of the page's own.
    enterprise = member.enterprise
    return render(request, "members/enterprise_detail.html", {"enterprise": enterprise})


@member_required
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A member updates the introduction and contacts of their own enterprise."""
    enterprise = _get_enterprise_for_member(request, pk)
    form = EnterpriseContactForm(request.POST or None, instance=enterprise)
    if request.method == "POST" and form.is_valid():
        services.update_enterprise_contact(
            enterprise=enterprise, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("The enterprise's details were saved."))
        return redirect("members:enterprise", pk=pk)
    return render(
        request,
        "members/enterprise_form.html",
        {"form": form, "enterprise": enterprise},
    )


@staff_required
def admit_enterprise(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite a non-member enterprise (非会员企业) to join: its contact becomes its first
    member and is sent the invitation; the form comes filled from its petition."""
    enterprise = get_object_or_404(
        Enterprise.objects.exclude(status__in=Enterprise.MEMBER_STATUSES), pk=pk
    )
    initial = {name: request.GET.get(name, "") for name in ("full_name", "mobile")}
    initial["next"] = request.GET.get("next", "")
    form = AdmitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "next"}
        try:
            member = services.admit_enterprise(
                enterprise=enterprise, actor=request.user, **data
            )
        except services.MembershipError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "%(name)s is a member from today; the invitation was sent to %(email)s."
                )
                % {"name": enterprise.name, "email": member.user.email},
            )
            return redirect(_safe_next(request, form.cleaned_data["next"], member))
    context = {"form": form, "enterprise": enterprise}
    return render(request, "members/enterprise_admit.html", context)


def _safe_next(request: HttpRequest, url: str, member: Member) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("admin:members_member_change", args=[member.pk])
