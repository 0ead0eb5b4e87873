"""Repeated petitions (重复诉求, issue 20 item 6): a member adds to an open petition of
their enterprise instead of filing it again; staff see the likely repeats of a batch.

The member's submit page (views.submit) asks `similar_first` before filing: when the
enterprise has an open or recent petition that reads alike, the page is shown again
with them, the typed petition kept, and per open one a button posting it to `add_to`.
Another enterprise's petition is never among them (petitions.repeats.suggestions).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chamber.decorators import member_required, staff_required
from chamber.roles import roles_of
from petitions import repeats, services
from petitions.forms_repeats import AdditionForm
from petitions.models import IntakeBatch, Petition

# Rows of a batch shown per page, each checked for repeats.
BATCH_PAGE = 50
# What the suggestions while typing read of the typed text.
TYPED_TITLE, TYPED_DESCRIPTION = 200, 5000


def _get_petition_for_member(request: HttpRequest, pk: int) -> Petition:
    """The petition, if it belongs to the user's enterprise; 404 otherwise."""
    member = roles_of(request.user).member
    if member is None:
        raise Http404
    return get_object_or_404(
        Petition.objects.for_enterprise(member.enterprise_id).select_related(
            "department"
        ),
        pk=pk,
    )


def similar_first(request: HttpRequest, form) -> HttpResponse | None:
    """Before a member's valid petition is filed: the submit page again, listing their
    enterprise's petitions that read alike, unless they chose "submit as a new
    petition anyway" or there is none (None: file it)."""
    if request.POST.get("anyway"):
        return None
    member = roles_of(request.user).member
    data = form.cleaned_data
    found = repeats.suggestions(
        member.enterprise_id, data["title"], data["description"]
    )
    if not found:
        return None
    context = {
        "form": form,
        "suggestions": found,
        "files_dropped": len(data.get("files") or ()),
    }
    return render(request, "petitions/submit.html", context)


@member_required
def add_to(request: HttpRequest, pk: int) -> HttpResponse:
    """Add to an open petition of my enterprise: its page of the addition form, or
    the text of a new petition posted from the submit page (its title and description
    become the addition)."""
    petition = _get_petition_for_member(request, pk)
    form = AdditionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_to_petition(
                petition=petition, actor=request.user, **form.cleaned_data
            )
        except services.PetitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Your addition to petition %(number)s was recorded; those "
                    "handling it were told."
                )
                % {"number": petition.number},
            )
            return redirect(petition)
    return render(
        request, "petitions/add_to.html", {"petition": petition, "form": form}
    )


@require_GET
@member_required
def similar(request: HttpRequest) -> JsonResponse:
    """While a member types a petition: their own enterprise's open and recent
    petitions that read alike, as JSON for static/js/petition-repeats.js."""
    member = roles_of(request.user).member
    title = request.GET.get("title", "")[:TYPED_TITLE]
    description = request.GET.get("description", "")[:TYPED_DESCRIPTION]
    found = repeats.suggestions(member.enterprise_id, title, description)
    return JsonResponse(
        {
            "suggestions": [
                {
                    "number": m.petition.number,
                    "title": m.petition.title,
                    "status": str(m.petition.get_status_display()),
                    "open": not m.petition.has_ended,
                    "url": m.petition.get_absolute_url(),
                    "add_url": ""
                    if m.petition.has_ended
                    else reverse("petitions:add_to", args=[m.petition.pk]),
                }
                for m in found
            ]
        }
    )


@staff_required
def batch_entered(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch just entered (or entered before): its petitions, each flagged with its
    likely repeats across enterprises and channels; none is refused for it."""
    batch = get_object_or_404(
        IntakeBatch.objects.select_related("created_by", "activity"), pk=pk
    )
    page = Paginator(
        batch.petitions.select_related("enterprise", "category", "department").order_by(
            "number"
        ),
        BATCH_PAGE,
    ).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    duplicates = repeats.likely_duplicates(rows)
    context = {
        "batch": batch,
        "page": page,
        "rows": rows,
        "duplicates": duplicates,
    }
    return render(request, "petitions/batch_entered.html", context)
