"""The QR entry points (扫码反映诉求): the studio door and each session's opinion form,
their printable posters, and the petition of an enterprise that is not a member.

A member who scans is logged in and writes as on the petitions page; anyone else can
log in, or write as a non-member enterprise after proving its mobile with an SMS code.
"""

from datetime import datetime, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from activities import paper
from activities.models import Activity
from chamber import documents, sms_codes
from chamber.decorators import staff_required
from chamber.models import SmsCode
from chamber.roles import roles_of
from chamber.security import client_ip
from members.models import DutyStudio
from petitions import entry, posters, services
from petitions.forms_entry import EntryForm, GuestPetitionForm
from petitions.models import Petition, channel_label
from petitions.views import tell_received

# The mobile a visitor proved with a code, and when: further petitions within the
# half hour (or a second try after a refused one) need no new code.
VERIFIED = "petitions:guest_mobile"
VERIFIED_FOR = timedelta(minutes=30)
# Codes one address may ask for in an hour, whatever the numbers: the entry is open to
# anyone, and each SMS costs the chamber.


def _get_session(pk: int) -> Activity:
    """A published consultation day or reception-hall session; 404 for anything else."""
    return get_object_or_404(entry.sessions().select_related("type", "series"), pk=pk)


@never_cache
def studio(request: HttpRequest) -> HttpResponse:
    """The studio door's QR code: a petition to the representative on duty this week."""
    now = timezone.now()
    token = request.POST.get("entry", "")
    shift = (
        entry.shift_of_token(token, on=timezone.localdate(now))
        if request.method == "POST"
        else entry.shift_now(on=timezone.localdate(now))
    )
    where = {
        "channel": Petition.Channel.DUTY_STUDIO,
        "duty_shift": shift,
        "studio": DutyStudio.objects.first(),
    }
    return _entry(request, where, entry.shift_token(shift))


@never_cache
def session_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """A session's QR code (会诊日, 会客厅): its opinion form, channel and session set."""
    activity = _get_session(pk)
    where = {"channel": entry.session_channel(activity), "activity": activity}
    return _entry(request, where, "")


def _entry(request: HttpRequest, where: dict, token: str) -> HttpResponse:
    member = roles_of(request.user).member
    if member is not None:
        return _member_entry(request, member, where, token)
    return _guest_entry(request, where, token)


def _member_entry(request: HttpRequest, member, where: dict, token: str):
    form = EntryForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "contact_name": request.user.get_full_name(),
            "contact_phone": member.mobile,
            "entry": token,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            petition = services.submit_petition(
                enterprise=member.enterprise,
                submitted_by=request.user,
                title=data["title"],
                description=data["description"],
                category=data["category"],
                files=data["files"],
                may_share_anonymously=data["may_share_anonymously"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                channel=where["channel"],
                activity=where.get("activity"),
                duty_shift=where.get("duty_shift"),
            )
        except services.PetitionError as exc:
            form.add_error(None, str(exc))
        else:
            return tell_received(request, petition)
    return _render(request, where, form, guest=False)


def _guest_entry(request: HttpRequest, where: dict, token: str):
    if request.method != "POST":
        form = GuestPetitionForm(initial={"entry": token})
        return _render(request, where, form, guest=True)
    form = GuestPetitionForm(request.POST)
    valid = form.is_valid()
    if "send_code" in request.POST:
        form.keep_only("mobile")
        if "mobile" not in form.errors:
            _send_code(request, form)
        return _render(request, where, form, guest=True)
    if valid and _mobile_proved(request, form):
        petition = _submit_guest(form, where)
        if petition is not None:
            path = reverse("petitions:received", args=[entry.received_token(petition)])
            return redirect(path)
    return _render(request, where, form, guest=True)


def _send_code(request: HttpRequest, form: GuestPetitionForm) -> None:
    """Send a code to the mobile typed; a refusal is the mobile field's error."""
    number = form.cleaned_data["mobile"]
    try:
        sms_codes.send_code(number, SmsCode.Purpose.GUEST, address=client_ip(request))
    except sms_codes.CodeRefused as refusal:
        form.add_error("mobile", str(refusal))
    else:
        messages.success(
            request,
            _("A code was sent to %(number)s; enter it below within 5 minutes.")
            % {"number": number},
        )


def _mobile_proved(request: HttpRequest, form: GuestPetitionForm) -> bool:
    """The mobile was proved by its code, now or within the half hour; else the code
    field says why (wrong, expired, missing)."""
    number = form.cleaned_data["mobile"]
    proved = request.session.get(VERIFIED)
    if proved and proved[0] == number:
        when = datetime.fromisoformat(proved[1])
        if timezone.now() - when < VERIFIED_FOR:
            return True
    code = form.cleaned_data["code"]
    if not code:
        form.add_error("code", _("Enter the 6-digit code from the SMS."))
        return False
    try:
        sms_codes.check_code(number, SmsCode.Purpose.GUEST, code)
    except sms_codes.CodeRefused as refusal:
        form.add_error("code", str(refusal))
        return False
    request.session[VERIFIED] = [number, timezone.now().isoformat()]
    return True


def _submit_guest(form: GuestPetitionForm, where: dict) -> Petition | None:
    data = form.cleaned_data
    try:
        return services.submit_guest_petition(
            mobile=data["mobile"],
            enterprise_name=data["enterprise_name"],
            credit_code=data["credit_code"],
            area=data["area"],
            contact_name=data["contact_name"],
            title=data["title"],
            description=data["description"],
            category=data["category"],
            channel=where["channel"],
            activity=where.get("activity"),
            duty_shift=where.get("duty_shift"),
        )
    except services.PetitionError as exc:
        form.add_error(None, str(exc))
        return None


def _render(request: HttpRequest, where: dict, form, *, guest: bool) -> HttpResponse:
    context = {
        **where,
        "form": form,
        "guest": guest,
        "channel_label": channel_label(where["channel"]),
        "login_url": f"{reverse('login')}?next={request.path}",
    }
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "petitions/entry_form.html", context, status=status)


def received(request: HttpRequest, token: str) -> HttpResponse:
    """What a visitor without an account sees once the petition is in: its number."""
    petition = entry.petition_of_received_token(token)
    if petition is None:
        raise Http404
    return render(request, "petitions/guest_received.html", {"petition": petition})


# --- the posters, for staff ----------------------------------------------------------------


def _studio_poster(request: HttpRequest) -> dict:
    """What the studio door's poster says, on the page and on paper."""
    studio_found = DutyStudio.objects.first()
    return {
        "title": studio_found.name if studio_found else _("Representatives' studio"),
        "heading": _("Scan to raise your concern"),
        "instructions": _(
            "Scan with your phone: the form goes to the chamber and to this week's "
            "representative on duty."
        ),
        "url": request.build_absolute_uri(reverse("petitions:studio")),
    }


@staff_required
def studio_poster(request: HttpRequest) -> HttpResponse:
    """The studio door's poster: one QR code for the whole year (扫码反映诉求)."""
    context = _studio_poster(request)
    context |= {
        "svg": entry.qr_svg(context["url"]),
        "shift": entry.shift_now(on=timezone.localdate()),
        "back": reverse("members:staff_rota"),
        "pdf": reverse("petitions:studio_poster_pdf"),
    }
    return render(request, "petitions/entry_poster.html", context)


@staff_required
def studio_poster_pdf(request: HttpRequest) -> HttpResponse:
    """The studio door's poster as PDF, A4 or A3 (`?size=a3`)."""
    return _poster_pdf(request, posters.STUDIO, _studio_poster(request))


def _session_poster(request: HttpRequest, activity: Activity) -> dict:
    """What a session's poster says, on the page and on paper."""
    return {
        "title": str(activity),
        "heading": _("Scan to fill in the opinion form"),
        "instructions": _(
            "Scan with your phone and write what your enterprise needs; the chamber "
            "studies every form."
        ),
        "url": request.build_absolute_uri(
            reverse("petitions:session", args=[activity.pk])
        ),
    }


@staff_required
def session_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A session's poster: the QR code of its opinion form (意见表)."""
    activity = _get_session(pk)
    context = _session_poster(request, activity)
    context |= {
        "svg": entry.qr_svg(context["url"]),
        "activity": activity,
        "back": activity.get_absolute_url(),
        "pdf": reverse("petitions:session_poster_pdf", args=[pk]),
    }
    return render(request, "petitions/entry_poster.html", context)


@staff_required
def session_poster_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """A session's poster as PDF, A4 or A3 (`?size=a3`)."""
    activity = _get_session(pk)
    return _poster_pdf(
        request,
        posters.SESSION,
        _session_poster(request, activity),
        when=paper.when_of(activity),
    )


def _poster_pdf(
    request: HttpRequest, key: str, words: dict, when: str = ""
) -> HttpResponse:
    size = paper.poster_size(request.GET.get("size"))
    content = documents.render_pdf(
        key, paper.poster_context(**words, size=size, when=when)
    )
    return documents.download(
        content,
        filename=paper.poster_filename(words["heading"], words["title"], size),
        content_type=documents.PDF,
    )
