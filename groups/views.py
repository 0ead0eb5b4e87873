"""Pages of the groups app: my group, standings with the rules, histories, awards."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chamber import documents, pagecache
from chamber.decorators import role_required, staff_required
from chamber.roles import Role, roles_of
from groups import paper, selectors, services
from groups.forms import ConfirmAwardForm, CorrectionForm, ManualPointsForm
from groups.models import (
    ActivityGroup,
    Award,
    AwardKind,
    CertificateBatch,
    GroupMembership,
    PointsEntry,
)
from members.models import Member

STANDINGS_PAGE_SIZE = 50


def _year(value: int | None) -> int:
    year = value or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise Http404
    return year


@role_required(Role.MEMBER, Role.STAFF)
def my_group(request: HttpRequest) -> HttpResponse:
    """A member's group this year: its leaders and members, and their own balance."""
    member = roles_of(request.user).member
    if member is None:
        return redirect("groups:standings")
    year = timezone.localdate().year
    content = pagecache.fragment(
        "my-group",
        member.pk,
        year,
        build=lambda: render_to_string(
            "groups/includes/my_group_content.html", _my_group(member, year)
        ),
        scope=selectors.POINTS_SCOPE,
    )
    return render(request, "groups/my_group.html", {"content": content})


def _my_group(member, year: int) -> dict:
    membership = (
        GroupMembership.objects.filter(member=member, year=year)
        .select_related("group")
        .first()
    )
    members = (
        selectors.member_standings(year=year, group=membership.group)
        if membership
        else []
    )
    balance, entries = selectors.member_history(member=member, year=year)
    return {
        "year": year,
        "group": membership.group if membership else None,
        "members": members,
        "leader_ids": set(
            GroupMembership.objects.filter(
                group=membership.group, is_leader=True
            ).values_list("member_id", flat=True)
        )
        if membership
        else set(),
        "balance": balance,
        "entries": entries,
        "rules": selectors.published_rules(year=year),
        "certificates": list(paper.certificates_of(member)),
    }


@role_required(Role.MEMBER, Role.STAFF)
def standings(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """Member and group standings of a year, with the rules that produced them."""
    year = _year(year)
    number = request.GET.get("page", "")

    def build() -> str:
        members = selectors.member_standings(year=year)
        page = Paginator(members, STANDINGS_PAGE_SIZE).get_page(number)
        context = {
            "year": year,
            "page": page,
            "groups": selectors.group_standings(year=year),
            "rules": selectors.published_rules(year=year),
            "years": sorted(
                set(ActivityGroup.objects.values_list("year", flat=True)), reverse=True
            ),
        }
        return render_to_string("groups/includes/standings_content.html", context)

    content = pagecache.fragment(
        "standings", year, number, build=build, scope=selectors.POINTS_SCOPE
    )
    return render(request, "groups/standings.html", {"year": year, "content": content})


@role_required(Role.MEMBER, Role.STAFF)
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    title, html = pagecache.titled_or_404(
        "group", pk, build=lambda: _group_detail(pk), scope=selectors.POINTS_SCOPE
    )
    return render(
        request, "groups/group_detail.html", {"title": title, "content": html}
    )


def _group_detail(pk: int):
    group = ActivityGroup.objects.filter(pk=pk).first()
    if group is None:
        return None
    members = selectors.member_standings(year=group.year, group=group)
    leaders = set(
        group.memberships.filter(is_leader=True).values_list("member_id", flat=True)
    )
    entries = (
        PointsEntry.objects.filter(
            year=group.year, member__group_memberships__group=group
        )
        .select_related("member__user", "rule")
        .order_by("-created_at", "-pk")[:100]
    )
    context = {
        "group": group,
        "members": members,
        "leader_ids": leaders,
        "entries": entries,
        "rules": selectors.published_rules(year=group.year),
    }
    html = render_to_string("groups/includes/group_detail_content.html", context)
    return f"{group.label} · {group.year}", html


@role_required(Role.MEMBER, Role.STAFF)
def member_points(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """Every entry of a member's year, with its reason: nobody wonders why."""
    year = _year(year)
    member = get_object_or_404(
        Member.objects.select_related("user", "enterprise"), pk=pk
    )
    balance, entries = selectors.member_history(member=member, year=year)
    context = {
        "member": member,
        "year": year,
        "balance": balance,
        "entries": entries,
        "rules": selectors.published_rules(year=year),
        "can_correct": roles_of(request.user).is_staff,
        "correction_form": CorrectionForm(),
    }
    return render(request, "groups/member_points.html", context)


@staff_required
def manual_points(request: HttpRequest) -> HttpResponse:
    form = ManualPointsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.record_manual_points(
                actor=request.user, **form.cleaned_data
            )
        except services.PointsError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The points were recorded."))
            return redirect("groups:member_points", pk=entry.member_id, year=entry.year)
    return render(request, "groups/manual_points_form.html", {"form": form})


@require_POST
@staff_required
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(PointsEntry, pk=pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for the correction."))
    else:
        try:
            services.correct_entry(
                entry=entry, reason=form.cleaned_data["reason"], actor=request.user
            )
        except services.PointsError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("The entry was corrected by a reversing entry.")
            )
    return redirect("groups:member_points", pk=entry.member_id, year=entry.year)


@staff_required
def manage_awards(request: HttpRequest, year: int) -> HttpResponse:
    """Staff see each award's ranked candidates with their figures, confirm and publish."""
    year = _year(year)
    confirmed = Award.objects.filter(year=year).select_related(
        "kind", "group", "member__user"
    )
    kinds = []
    for kind in AwardKind.objects.all():
        kinds.append(
            {
                "kind": kind,
                "candidates": selectors.award_candidates(kind=kind, year=year)[
                    : kind.winners + 5
                ],
                "confirmed": [a for a in confirmed if a.kind_id == kind.pk],
            }
        )
    context = {
        "year": year,
        "kinds": kinds,
        "unpublished": any(a.published_at is None for a in confirmed),
        "published": any(a.published_at is not None for a in confirmed),
    }
    return render(request, "groups/awards_manage.html", context)


@require_POST
@staff_required
def confirm_award(request: HttpRequest, year: int, kind_pk: int) -> HttpResponse:
    year = _year(year)
    kind = get_object_or_404(AwardKind, pk=kind_pk)
    form = ConfirmAwardForm(request.POST)
    target = form.target_object(kind, year) if form.is_valid() else None
    if target is None:
        messages.error(request, _("Choose a candidate of that year."))
        return redirect("groups:manage_awards", year=year)
    is_group = kind.awarded_to == AwardKind.For.GROUP
    try:
        services.confirm_award(
            kind=kind,
            year=year,
            actor=request.user,
            group=target if is_group else None,
            member=None if is_group else target,
            rank=form.cleaned_data.get("rank"),
            figures=_figures_of(kind, year, target),
            override_reason=form.cleaned_data["override_reason"],
        )
    except services.PointsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Confirmed."))
    return redirect("groups:manage_awards", year=year)


def _figures_of(kind: AwardKind, year: int, target) -> dict:
    for candidate in selectors.award_candidates(kind=kind, year=year):
        if candidate["target"].pk == target.pk:
            return candidate["figures"]
    return {}


@require_POST
@staff_required
def publish_awards(request: HttpRequest, year: int) -> HttpResponse:
    year = _year(year)
    n = services.publish_awards(year=year, actor=request.user)
    messages.success(request, _("%(n)d awards published.") % {"n": n})
    return redirect("groups:manage_awards", year=year)


def public_awards(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """The published awards of a year, for everyone (no login)."""
    years = sorted(
        set(
            Award.objects.filter(published_at__isnull=False).values_list(
                "year", flat=True
            )
        ),
        reverse=True,
    )
    if year is None:
        year = years[0] if years else timezone.localdate().year - 1
    year = _year(year)
    awards = Award.objects.filter(year=year, published_at__isnull=False).select_related(
        "kind", "group", "member__user", "member__enterprise"
    )
    return render(
        request,
        "groups/awards_public.html",
        {"year": year, "awards": awards, "years": years},
    )


# --- certificates (荣誉证书, issue 21) -------------------------------------------------------


def _get_certificate_for_user(request: HttpRequest, pk: int) -> Award:
    """A published award: staff reach any, a member their own and their group's; 404
    for anything else, an unpublished award included (it has no certificate yet)."""
    awards = paper.published_certificates()
    roles = roles_of(request.user)
    if not roles.is_staff:
        awards = awards.filter(pk__in=paper.certificates_of(roles.member).values("pk"))
    return get_object_or_404(awards, pk=pk)


@role_required(Role.MEMBER, Role.STAFF)
def award_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate of honour of a published award, as PDF (A4 landscape)."""
    award = _get_certificate_for_user(request, pk)
    content = documents.render_pdf(paper.KEY, paper.context_of([award]))
    return documents.download(
        content, filename=paper.filename(award), content_type=documents.PDF
    )


@staff_required
def certificate_batches(request: HttpRequest) -> HttpResponse:
    """The years' certificates asked for, with their state and, when made, the file."""
    batches = (
        CertificateBatch.objects.defer("content")
        .select_related("requested_by")
        .order_by("-requested_at", "-pk")[:50]
    )
    years = sorted(
        set(
            Award.objects.filter(published_at__isnull=False).values_list(
                "year", flat=True
            )
        ),
        reverse=True,
    )
    return render(
        request,
        "groups/certificate_batches.html",
        {"batches": batches, "years": years},
    )


@require_POST
@staff_required
def make_certificates(request: HttpRequest, year: int) -> HttpResponse:
    """Ask for all of a year's certificates as one PDF: a task makes it."""
    year = _year(year)
    try:
        services.request_certificate_batch(year=year, actor=request.user)
    except services.PointsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "The certificates of %(year)d are being made; the file is listed "
                "here when it is ready."
            )
            % {"year": year},
        )
    return redirect("groups:certificate_batches")


@staff_required
def certificate_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """A made batch of certificates, as PDF; 404 while it is being made or if it failed."""
    batch = get_object_or_404(
        CertificateBatch, pk=pk, finished_at__isnull=False, error=""
    )
    return documents.download(
        bytes(batch.content),
        filename=paper.batch_filename(batch.year),
        content_type=documents.PDF,
    )
