"""Enterprise showcases: the public pages, a member's edit page and the staff's review."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chamber import pagecache
from chamber.decorators import member_required, staff_required
from chamber.roles import roles_of
from chamber.uploads import check_picture, picture_response
from publicity import selectors, showcases
from publicity.forms import ReturnShowcaseForm, ShowcaseForm
from publicity.models import Showcase, ShowcasePhoto


def _public_photos():
    return Prefetch(
        "photos",
        queryset=ShowcasePhoto.objects.filter(is_approved=True),
        to_attr="public_photos",
    )


def _public_showcases():
    return (
        Showcase.objects.filter(is_listed=True, approved_at__isnull=False)
        .select_related("enterprise")
        .prefetch_related(_public_photos())
    )


@pagecache.anonymous_page
def showcase_list(request: HttpRequest) -> HttpResponse:
    """The enterprises that show themselves on the site, each with its first photo."""
    body = pagecache.fragment(
        "showcases",
        build=lambda: render_to_string(
            "publicity/includes/showcase_list_body.html",
            {"showcases": _public_showcases()},
            request,
        ),
    )
    return render(request, "publicity/showcase_list.html", {"body": body})


@pagecache.anonymous_page
def showcase(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(_public_showcases(), pk=pk)

    def build() -> str:
        articles = selectors.published_articles().filter(
            enterprise_id=found.enterprise_id
        )[:10]
        context = {"showcase": found, "articles": articles}
        return render_to_string(
            "publicity/includes/showcase_body.html", context, request
        )

    body = pagecache.fragment("showcase", found.pk, build=build)
    context = {
        "showcase": found,
        "body": body,
        "may_share": _may_preview(request, found),
    }
    return render(request, "publicity/showcase_detail.html", context)


def _may_preview(request: HttpRequest, showcase: Showcase) -> bool:
    """Staff, and the members of its enterprise, see photos that wait for approval."""
    if not request.user.is_authenticated:
        return False
    roles = roles_of(request.user)
    if roles.is_staff:
        return True
    return roles.member is not None and roles.member.enterprise_id == (
        showcase.enterprise_id
    )


def showcase_photo(request: HttpRequest, pk: int) -> HttpResponse:
    photo = get_object_or_404(ShowcasePhoto.objects.select_related("showcase"), pk=pk)
    if photo.is_approved and photo.showcase.is_public:
        return picture_response(photo, cache_control="public, max-age=86400")
    if _may_preview(request, photo.showcase):
        return picture_response(photo, cache_control="private, no-store")
    raise Http404


@login_required
def showcase_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """The showcase's QR code, for its enterprise's members (and staff) to share."""
    found = get_object_or_404(Showcase.objects.select_related("enterprise"), pk=pk)
    if not _may_preview(request, found):
        raise Http404
    url = request.build_absolute_uri(found.get_absolute_url())
    context = {
        "showcase": found,
        "title": found.enterprise.name,
        "heading": _("Scan to see our showcase"),
        "instructions": _(
            "Scan with your phone to open the enterprise's page on the chamber's site."
        ),
        "url": url,
        "svg": segno.make(url, error="m").svg_inline(scale=6, omitsize=True),
        "back": found.get_absolute_url()
        if found.is_public
        else reverse("publicity:my_showcase"),
    }
    return render(request, "publicity/showcase_poster.html", context)


@member_required
def my_showcase(request: HttpRequest) -> HttpResponse:
    """The member's own enterprise's showcase: edit it, add photos, send it for approval."""
    enterprise = roles_of(request.user).member.enterprise
    current = showcases.showcase_of(enterprise)
    if request.method == "POST":
        asked = {v for v in request.POST.getlist("remove_photos") if v.isdigit()}
        own = (
            {str(pk) for pk in current.photos.values_list("pk", flat=True)}
            if (current.pk)
            else set()
        )
        if asked - own:
            raise Http404  # another enterprise's photo: as if it did not exist
    form = ShowcaseForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=current,
    )
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            showcases.save_showcase(
                showcase=form.instance,
                actor=request.user,
                photos=[check_picture(f) for f in form.cleaned_data["new_photos"]],
                remove_photo_ids=[
                    p.pk for p in form.cleaned_data.get("remove_photos") or []
                ],
                submit=submit,
            )
        except showcases.ShowcaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Sent to the chamber's staff for approval.")
                if submit
                else _("Your showcase was saved."),
            )
            return redirect("publicity:my_showcase")
    photos = list(current.photos.all()) if current.pk else []
    return render(
        request,
        "publicity/my_showcase.html",
        {"form": form, "showcase": current, "photos": photos},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
def review_showcases(request: HttpRequest) -> HttpResponse:
    """Showcases waiting for approval, with their text and photos, oldest first."""
    waiting = (
        Showcase.objects.filter(status=Showcase.Status.PENDING)
        .select_related("enterprise")
        .prefetch_related("photos")
        .order_by("submitted_at", "pk")
    )
    return render(
        request,
        "publicity/showcase_review.html",
        {"waiting": waiting},
    )


@require_POST
@staff_required
def approve_showcase(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Showcase, pk=pk)
    try:
        showcases.approve_showcase(showcase=found, actor=request.user)
    except showcases.ShowcaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(name)s's showcase is on the site.") % {"name": found}
        )
    return redirect("publicity:review_showcases")


@require_POST
@staff_required
def return_showcase(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Showcase, pk=pk)
    form = ReturnShowcaseForm(request.POST)
    try:
        if not form.is_valid():
            raise showcases.ShowcaseError(_("Say what the members should change."))
        showcases.return_showcase(
            showcase=found, actor=request.user, note=form.cleaned_data["note"]
        )
    except showcases.ShowcaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(name)s's showcase was returned.") % {"name": found}
        )
    return redirect("publicity:review_showcases")
