"""Publicity pages: an official's digest settings; staff resend a failed digest."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chamber.decorators import role_required, staff_required
from chamber.roles import Role, roles_of
from publicity import digests
from publicity.forms import DigestPreferenceForm
from publicity.models import DigestDelivery, DigestPreference


@role_required(Role.OFFICIAL, Role.LEADER)
def digest_settings(request: HttpRequest) -> HttpResponse:
    """What the weekly digest holds: the petitions always, the week's policies if wanted."""
    official = roles_of(request.user).official
    preference, _created = DigestPreference.objects.get_or_create(official=official)
    form = DigestPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your digest settings were saved."))
        return redirect("publicity:digest_settings")
    recent = list(official.digest_deliveries.order_by("-week_start")[:8])
    return render(
        request, "publicity/digest_settings.html", {"form": form, "recent": recent}
    )


@require_POST
@staff_required
def resend_digest(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(DigestDelivery, pk=pk)
    digests.resend_digest(delivery=delivery)
    messages.success(request, _("The digest will be sent again."))
    return redirect("staff_dashboard")
