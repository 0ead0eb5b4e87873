"""晾晒: the public page of the departments' 三率, and the leaders' switch
(publicity/transparency.py)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chamber import pagecache
from chamber.decorators import role_required
from chamber.roles import Role, roles_of
from publicity import transparency


def _may_preview(request: HttpRequest) -> bool:
    roles = roles_of(request.user)
    return roles.is_leader or roles.is_staff


@pagecache.anonymous_page
def transparency_page(request: HttpRequest) -> HttpResponse:
    """Public once a leader switched it on; before, a preview for leaders and staff."""
    public = transparency.is_public()
    if not public and not _may_preview(request):
        raise Http404
    context = {
        **transparency.figures(),
        "public": public,
        "may_switch": roles_of(request.user).is_leader,
        "last_switch": transparency.last_switch() if _may_preview(request) else None,
    }
    return render(request, "publicity/transparency.html", context)


@require_POST
@role_required(Role.LEADER)
def transparency_switch(request: HttpRequest) -> HttpResponse:
    """A leader publishes the page, or takes it off the site."""
    public = request.POST.get("public") == "on"
    transparency.switch(actor=request.user, public=public)
    if public:
        messages.success(request, _("The departments' figures are now public."))
    else:
        messages.success(request, _("The departments' figures are no longer public."))
    return redirect("publicity:transparency")
