"""Petition pages: members' own, the department's queue, the staff's triage, the leaders' view.

Access goes through the `_get_petition_for_<role>` helpers: anything not the user's is a
404, never a 403 that would confirm it exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chamber import downloads, method_rules, pagecache
from chamber.decorators import member_required, role_required, staff_required
from chamber.roles import Role, roles_of
from chamber.uploads import content_disposition, download_response
from members.models import DutyLogEntry
from petitions import (
    clock,
    forms,
    leader,
    repeats,
    selectors,
    services,
    sheets,
    views_repeats,
)
from petitions import downloads as petition_files
from petitions.models import (
    Petition,
    PetitionAttachment,
    ReviewRun,
    Section,
    channel_label,
    enterprise_petitions_scope,
)
from petitions.today import LABELS as TODAY_LABELS
from petitions.tokens import read_rating_token

PAGE_SIZE = 25
official_required = role_required(Role.OFFICIAL)
leadership_required = role_required(Role.STAFF, Role.LEADER)


def _member(request: HttpRequest):
    return roles_of(request.user).member


def _get_petition_for_member(request: HttpRequest, pk: int) -> Petition:
    """The petition, if it belongs to the user's enterprise; 404 otherwise."""
    member = _member(request)
    if member is None:
        raise Http404
    return get_object_or_404(
        Petition.objects.for_enterprise(member.enterprise_id).select_related(
            "category", "department", "merged_into", "duty_shift__representative__user"
        ),
        pk=pk,
    )


def _get_petition_for_official(request: HttpRequest, pk: int) -> Petition:
    """The petition, if it was dispatched to the official's department; 404 otherwise."""
    official = roles_of(request.user).official
    if official is None or official.department_id is None:
        raise Http404
    return get_object_or_404(
        selectors.department_petitions(department_id=official.department_id), pk=pk
    )


def _get_petition_for_staff(pk: int) -> Petition:
    return get_object_or_404(
        Petition.objects.select_related(
            "enterprise",
            "category",
            "department",
            "activity",
            "duty_log_entry",
            "duty_shift__representative__user",
            "merged_into",
            "submitted_by",
            "signed_by",
            "department_replied_by",
        ),
        pk=pk,
    )


def _page(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _run_service(request: HttpRequest, call, success: str) -> bool:
    """Call a service; its PetitionError becomes a message. True when it succeeded."""
    try:
        call()
    except services.PetitionError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


# --- members ----------------------------------------------------------------------------


@member_required
def my_petitions(request: HttpRequest) -> HttpResponse:
    """My enterprise's petitions, newest first; each page kept in the cache until one of
    them changes (petitions.models.enterprise_petitions_changed)."""
    member = _member(request)

    def build() -> str:
        petitions = selectors.enterprise_petitions(enterprise_id=member.enterprise_id)
        return render_to_string(
            "petitions/includes/my_petitions.html",
            {"page": _page(request, petitions)},
        )

    rows = pagecache.fragment(
        "my-petitions",
        request.GET.get("page", ""),
        timezone.localdate(),  # a due date passes: "overdue since"
        build=build,
        scope=enterprise_petitions_scope(member.enterprise_id),
    )
    return render(request, "petitions/my_petitions.html", {"rows": rows})


@member_required
def submit(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = forms.SubmitForm(
        request.POST or None,
        request.FILES or None,
        # the department calls the member who wrote it, unless they name someone else
        initial={
            "contact_name": request.user.get_full_name(),
            "contact_phone": member.mobile,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # 重复诉求: the enterprise's similar petitions first, to add to one of them.
        if shown := views_repeats.similar_first(request, form):
            return shown
        try:
            petition = services.submit_petition(
                enterprise=member.enterprise,
                title=data["title"],
                description=data["description"],
                category=data["category"],
                files=data["files"],
                may_share_anonymously=data["may_share_anonymously"],
                channel=Petition.Channel.ONLINE,
                submitted_by=request.user,
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
            )
        except services.PetitionError as exc:
            form.add_error(None, str(exc))
        else:
            return tell_received(request, petition)
    return render(request, "petitions/submit.html", {"form": form})


def tell_received(request: HttpRequest, petition: Petition) -> HttpResponse:
    """After a member submits a petition (online or by a QR code): its page, saying so."""
    messages.success(
        request,
        _(
            "Your petition %(number)s was received; the chamber studies it on the next working day."
        )
        % {"number": petition.number},
    )
    return redirect(petition)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's petition; staff and the department are sent to their own page of it."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    roles = roles_of(request.user)
    if not roles.is_member:
        if roles.is_staff:
            return redirect("petitions:staff_detail", pk=pk)
        if roles.is_official:
            return redirect("petitions:department_detail", pk=pk)
        raise Http404
    return _member_page(request, _get_petition_for_member(request, pk))


def _member_page(
    request: HttpRequest, petition: Petition, rating_form=None, **bound
) -> HttpResponse:
    """The member's page of a petition; `rating_form` (or, in `bound`, the answer to a
    request of petitions/views_clock.py) is a refused form, shown again with what was
    typed and its errors."""
    if rating_form is None and petition.status == Petition.Status.REPLIED:
        rating_form = forms.RatingForm()
    today = timezone.localdate()
    context = {
        "petition": petition,
        "events": selectors.timeline(petition=petition, audience="enterprise"),
        "leaders_following": petition.events.instructions().exists(),
        "attachments": list(petition.attachments.all()),
        "rating_form": rating_form,
        "today": today,
        **clock.member_panel(petition, today=today, **bound),
    }
    return render(request, "petitions/detail.html", context)


@require_POST
@member_required
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _get_petition_for_member(request, pk)
    form = forms.RatingForm(request.POST)
    if not form.is_valid():  # shown again, with what was typed
        return _member_page(request, petition, rating_form=form)
    _run_service(
        request,
        lambda: services.rate_petition(
            petition=petition, actor=request.user, **form.cleaned_data
        ),
        _("Thank you, your rating was recorded."),
    )
    return redirect(petition)


def rate_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """Rate an answer from the e-mail's signed link, without logging in; works once."""
    found = read_rating_token(token)
    petition = None
    if found is not None:
        petition_id, answer_round, user_id = found
        petition = (
            Petition.objects.filter(
                pk=petition_id, enterprise__members__user_id=user_id
            )
            .select_related("enterprise", "department")
            .first()
        )
    if petition is None:
        return render(
            request, "petitions/rate_link.html", {"invalid": True}, status=404
        )
    from chamber.models import User

    usable = (
        petition.status == Petition.Status.REPLIED
        and petition.answer_round == answer_round
    )
    form = forms.RatingForm(request.POST or None)
    done = False
    if request.method == "POST" and usable and form.is_valid():
        rater = User.objects.get(pk=user_id)
        try:
            services.rate_petition(
                petition=petition,
                actor=rater,
                answer_round=answer_round,
                **form.cleaned_data,
            )
        except services.PetitionError as exc:
            form.add_error(None, str(exc))
        else:
            done = True
    context = {"petition": petition, "form": form, "usable": usable, "done": done}
    return render(request, "petitions/rate_link.html", context)


@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """Download an attachment: the enterprise's members, the department it went to, staff."""
    found = get_object_or_404(
        PetitionAttachment.objects.select_related("petition"), pk=pk
    )
    roles, petition = roles_of(request.user), found.petition
    allowed = (
        roles.is_staff
        or (
            roles.member is not None
            and roles.member.enterprise_id == petition.enterprise_id
        )
        or (
            roles.official is not None
            and petition.dispatched_at is not None
            and roles.official.department_id == petition.department_id
        )
    )
    if not allowed:
        raise Http404
    return download_response(found)


# --- the representative on duty -----------------------------------------------------------


@role_required(Role.REPRESENTATIVE, Role.STAFF)
def from_duty_log(request: HttpRequest, entry_pk: int) -> HttpResponse:
    """Turn a duty-log appeal into a petition (channel: duty studio), linked to the shift."""
    entries = DutyLogEntry.objects.select_related("shift", "enterprise")
    if not roles_of(request.user).is_staff:
        entries = entries.filter(shift__representative=_member(request))
    entry = get_object_or_404(entries, pk=entry_pk)
    existing = Petition.objects.filter(duty_log_entry=entry).first()
    if existing is not None:
        messages.info(
            request,
            _("This appeal is already petition %(number)s.")
            % {"number": existing.number},
        )
        return redirect("members:log_entry", pk=entry.pk)
    initial = {"title": entry.subject, "description": entry.appeal}
    form = forms.DutyLogPetitionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            petition = services.petition_from_duty_log(
                entry=entry, actor=request.user, **form.cleaned_data
            )
        except services.PetitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Petition %(number)s was created.") % {"number": petition.number},
            )
            return redirect("members:log_entry", pk=entry.pk)
    return render(
        request, "petitions/from_duty_log.html", {"form": form, "entry": entry}
    )


# --- the department ------------------------------------------------------------------------


@official_required
def department_queue(request: HttpRequest) -> HttpResponse:
    """The department's queue: new, overdue, due soon, in progress, awaiting the chamber's review."""
    official = roles_of(request.user).official
    today = timezone.localdate()
    department_id = official.department_id
    context = {
        "department": official.department,
        # The queue is kept in the cache under the data's version
        # (department_queue.html): these are read only when it is not there.
        "version": selectors.data_version(),
        "cache_seconds": selectors.CACHE_SECONDS,
        "queue": SimpleLazyObject(
            lambda: selectors.department_queue(department_id=department_id, on=today)
        ),
        "today": today,
        "recent": SimpleLazyObject(
            lambda: list(
                selectors.department_petitions(department_id=department_id)
                .exclude(
                    status__in=(
                        *Petition.WITH_DEPARTMENT,
                        Petition.Status.AWAITING_INFO,
                    )
                )
                .defer(*selectors.LIST_DEFERRED)
                .order_by("-answered_at", "-pk")[:20]
            )
        ),
    }
    return render(request, "petitions/department_queue.html", context)


@official_required
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _department_page(request, _get_petition_for_official(request, pk))


def _department_page(
    request: HttpRequest, petition: Petition, reply_form=None, **bound
) -> HttpResponse:
    """The department's page of a petition; `reply_form` (or, in `bound`, a form of
    petitions/views_clock.py) is refused, shown again with what was typed and its
    errors."""
    instructions = selectors.open_instructions(petition=petition)
    if reply_form is None:
        reply_form = forms.ReplyForm(
            auto_id="reply_%s", instruction_open=bool(instructions)
        )
    today = timezone.localdate()
    context = {
        "petition": petition,
        "events": selectors.timeline(petition=petition, audience="department"),
        "attachments": list(petition.attachments.all()),
        "today": today,
        "still_ours": petition.is_waiting_at_department,
        "instructions": instructions,
        "return_form": forms.ReturnForm(auto_id="return_%s"),
        "progress_form": forms.ProgressForm(auto_id="progress_%s"),
        "reply_form": reply_form,
        **clock.department_panel(petition, today=today, **bound),
    }
    return render(request, "petitions/department_detail.html", context)


DEPARTMENT_ACTIONS = {
    "sign": (
        None,
        services.sign_petition,
        gettext_lazy("Signed for: the petition is now in progress."),
    ),
    "return": (
        forms.ReturnForm,
        services.return_petition,
        gettext_lazy("Returned to the chamber for triage."),
    ),
    "progress": (
        forms.ProgressForm,
        services.record_progress,
        gettext_lazy("Progress recorded."),
    ),
    "reply": (
        forms.ReplyForm,
        services.record_department_reply,
        gettext_lazy("Reply sent to the chamber for review."),
    ),
}


@require_POST
@official_required
def department_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in DEPARTMENT_ACTIONS:
        raise Http404
    petition = _get_petition_for_official(request, pk)
    if action == "reply":
        return _department_reply(request, petition)
    form_class, service, success = DEPARTMENT_ACTIONS[action]
    data = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect("petitions:department_detail", pk=pk)
        data = form.cleaned_data
    ok = _run_service(
        request, lambda: service(petition=petition, actor=request.user, **data), success
    )
    if ok and action == "return":
        return redirect("petitions:department_queue")
    return redirect("petitions:department_detail", pk=pk)


def _department_reply(request: HttpRequest, petition: Petition) -> HttpResponse:
    """The department's reply; refused, the page comes back with what was typed."""
    form = forms.ReplyForm(
        request.POST,
        auto_id="reply_%s",
        instruction_open=bool(selectors.open_instructions(petition=petition)),
    )
    if form.is_valid():
        try:
            services.record_department_reply(
                petition=petition, actor=request.user, **form.cleaned_data
            )
        except services.PetitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, DEPARTMENT_ACTIONS["reply"][2])
            return redirect("petitions:department_detail", pk=petition.pk)
    return _department_page(request, petition, reply_form=form)


# --- staff -----------------------------------------------------------------------------


# section, what staff do with it, the staff list's status filter showing the whole section
BOARD_SECTIONS = [
    (Section.TO_TRIAGE, gettext_lazy("Triage and dispatch."), "submitted"),
    (
        Section.AWAITING_REVIEW,
        gettext_lazy("Review the department's reply and send it on."),
        "awaiting_review",
    ),
    (Section.WITH_CHAMBER, gettext_lazy("Dispatch or answer."), "accepted"),
    (
        Section.OVERDUE,
        gettext_lazy("At departments past the due date: follow up."),
        "overdue",
    ),
    (
        Section.AWAITING_INFO,
        gettext_lazy(
            "Waiting for the enterprise's answer; close a request past its deadline."
        ),
        "awaiting_info",
    ),
]


@staff_required
def triage(request: HttpRequest) -> HttpResponse:
    """The staff's board: to triage, with the chamber, awaiting review, overdue."""
    today = timezone.localdate()
    # The board is kept in the cache under the data's version (triage.html): these
    # are read only when it is not there.
    board = SimpleLazyObject(lambda: selectors.triage_board(on=today))
    context = {
        "version": selectors.data_version(),
        "cache_seconds": selectors.CACHE_SECONDS,
        "board": board,
        # 重复诉求: each petition to triage with its likely repeats (two queries).
        "duplicates": SimpleLazyObject(
            lambda: repeats.likely_duplicates(board[Section.TO_TRIAGE]["rows"])
        ),
        "sections": BOARD_SECTIONS,
        "today": today,
        "runs": SimpleLazyObject(selectors.last_runs),
    }
    return render(request, "petitions/triage.html", context)


def _made_by_a_task(request: HttpRequest, kind: str, parameters: dict) -> HttpResponse:
    """Ask for a file made by a task and go to its page (chamber/downloads.py)."""
    download = downloads.request_download(
        owner=request.user, kind=kind, parameters=parameters
    )
    return redirect(download)


@staff_required
def staff_list(request: HttpRequest) -> HttpResponse:
    if request.GET.get("format") == "xlsx":  # made by a task (petitions/downloads.py)
        return _made_by_a_task(
            request,
            petition_files.PETITIONS_XLSX,
            petition_files.staff_list_parameters(request.GET),
        )
    form, petitions, todo = petition_files.staff_list_petitions(request.GET)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        # Kept in the cache under the data's version with the whole query
        # (staff_list.html): counted and read only when not there.
        "version": selectors.data_version(),
        "cache_seconds": selectors.CACHE_SECONDS,
        "full_query": request.GET.urlencode(),
        "page": SimpleLazyObject(
            lambda: _page(request, petitions.defer(*selectors.LIST_DEFERRED))
        ),
        "query_string": query.urlencode(),
        "today": timezone.localdate(),
        "todo": TODAY_LABELS[todo] if todo else "",
    }
    return render(request, "petitions/staff_list.html", context)


@staff_required
def staff_new(request: HttpRequest) -> HttpResponse:
    """One petition received by phone, at the reception hall, on a consultation day or on a form."""
    form = forms.StaffEntryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            petition = services.submit_petition(
                enterprise=data["enterprise"],
                title=data["title"],
                description=data["description"],
                category=data["category"],
                files=data["files"],
                channel=data["channel"],
                activity=data["activity"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                submitted_by=request.user,
            )
        except services.PetitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Petition %(number)s was entered.") % {"number": petition.number},
            )
            return redirect("petitions:staff_detail", pk=petition.pk)
    return render(request, "petitions/staff_new.html", {"form": form})


@staff_required
def batch(request: HttpRequest) -> HttpResponse:
    """Many petitions at once: typed rows, or an Excel sheet of opinion forms.

    The whole batch is checked first; one bad row saves nothing. The batch key makes a
    second submission of the same batch (or the same sheet) create nothing new.
    """
    lookups = forms.BatchLookups()
    upload = request.method == "POST" and "sheet" in request.FILES
    form_class = forms.BatchUploadForm if upload else forms.BatchForm
    form = form_class(request.POST or None, request.FILES or None)
    try:
        extra = int(request.GET.get("rows", 10))
    except ValueError:
        extra = 10
    formset = forms.batch_row_formset(extra)(
        request.POST if request.method == "POST" and not upload else None,
        form_kwargs={"lookups": lookups},
        prefix="rows",
    )
    row_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        rows = (
            _sheet_rows(form, lookups, row_errors)
            if upload
            else _typed_rows(formset, row_errors)
        )
        if rows and not row_errors:
            key = form.cleaned_data.get("key") or ""
            if upload:
                key = _sheet_key(request.FILES["sheet"])
            try:
                batch, created = services.enter_batch(
                    key=key,
                    rows=rows,
                    channel=form.cleaned_data["channel"],
                    activity=form.cleaned_data["activity"],
                    source=form.cleaned_data["source"],
                    actor=request.user,
                )
            except services.PetitionError as exc:  # a printed form's number refused
                row_errors.append(str(exc))
            else:
                return _batch_entered(request, batch, created)
    elif request.method == "POST":
        _form_errors(request, form)
    context = {
        "form": form if not upload else forms.BatchForm(),
        "upload_form": form if upload else forms.BatchUploadForm(),
        "formset": formset,
        "row_errors": row_errors,
        "lookups": lookups,
    }
    return render(
        request, "petitions/batch.html", context, status=400 if row_errors else 200
    )


def _batch_entered(request: HttpRequest, batch, created: bool) -> HttpResponse:
    if created:
        messages.success(
            request, _("%(n)d petitions were entered.") % {"n": batch.size}
        )
    else:
        messages.info(
            request, _("This batch was entered already; nothing new was created.")
        )
    # Its petitions, each flagged with its likely repeats (重复诉求).
    return redirect("petitions:batch_entered", pk=batch.pk)


def _typed_rows(formset, errors: list[str]) -> list:
    if not formset.is_valid():
        for number, row_form in enumerate(formset.forms, start=1):
            for field, messages_ in row_form.errors.items():
                label = row_form.fields[field].label if field in row_form.fields else ""
                errors += [
                    _("Row %(n)d, %(field)s: %(error)s")
                    % {"n": number, "field": label, "error": m}
                    for m in messages_
                ]
        errors += formset.non_form_errors()
        return []
    rows = [f.row() for f in formset.forms if f.has_changed() and f.cleaned_data]
    if not rows:
        errors.append(_("Type at least one row."))
    return rows


def _sheet_rows(form, lookups, errors: list[str]) -> list:
    try:
        lines = sheets.read_opinion_forms(form.cleaned_data["sheet"])
    except ValidationError as exc:
        errors += exc.messages
        return []
    rows = []
    for number, data in lines:
        row_form = forms.BatchRowForm(data, lookups=lookups)
        if row_form.is_valid():
            rows.append(row_form.row())
        for field, messages_ in row_form.errors.items():
            errors += [
                _("Row %(n)d, %(field)s: %(error)s")
                % {"n": number, "field": row_form.fields[field].label, "error": m}
                for m in messages_
            ]
    return rows


def _sheet_key(upload) -> str:
    import hashlib

    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return f"sheet-{digest.hexdigest()[:58]}"


@staff_required
def batch_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(sheets.opinion_form_template(), content_type=sheets.XLSX)
    response["Content-Disposition"] = content_disposition("opinion-forms.xlsx")
    return response


@staff_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_page(request, _get_petition_for_staff(pk))


def _staff_page(request: HttpRequest, petition: Petition, **bound) -> HttpResponse:
    """The staff's page of a petition; `bound` holds a refused form of
    petitions/views_clock.py, shown again with what was typed and its errors."""
    today = timezone.localdate()
    initial_answer = petition.department_reply if petition.awaits_review else ""
    context = {
        "petition": petition,
        "events": selectors.timeline(petition=petition, audience="staff"),
        "attachments": list(petition.attachments.all()),
        "escalations": list(petition.escalations.select_related("run")),
        "today": today,
        # One page, several forms with fields of the same name: ids of their own, so
        # each label names its own field.
        "accept_form": forms.AcceptForm(
            initial={"category": petition.category_id, "priority": petition.priority},
            auto_id="accept_%s",
        ),
        "dispatch_form": forms.DispatchForm(auto_id="dispatch_%s"),
        "answer_form": forms.AnswerForm(
            initial={"answer": initial_answer}, auto_id="answer_%s"
        ),
        "send_back_form": forms.SendBackForm(auto_id="send_back_%s"),
        "reject_form": forms.RejectForm(auto_id="reject_%s"),
        "merge_form": forms.MergeForm(auto_id="merge_%s"),
        "note_form": forms.NoteForm(auto_id="note_%s"),
        "invite_url": _invite_url(petition),
        **clock.staff_panel(petition, today=today, **bound),
    }
    return render(request, "petitions/staff_detail.html", context)


def _invite_url(petition: Petition) -> str:
    """Where staff invite a non-member enterprise to join, its contact filled in; ""
    for a member enterprise."""
    if petition.enterprise.is_member:
        return ""
    query = urlencode(
        {
            "full_name": petition.contact_name,
            "mobile": petition.contact_phone,
            "next": reverse("petitions:staff_detail", args=[petition.pk]),
        }
    )
    path = reverse("members:admit_enterprise", args=[petition.enterprise_id])
    return f"{path}?{query}"


STAFF_ACTIONS = {
    "accept": (forms.AcceptForm, services.accept_petition, gettext_lazy("Triaged.")),
    "dispatch": (
        forms.DispatchForm,
        services.dispatch_petition,
        gettext_lazy("Dispatched; the department was told."),
    ),
    "answer": (
        forms.AnswerForm,
        services.answer_petition,
        gettext_lazy("The answer was sent to the enterprise."),
    ),
    "send_back": (
        forms.SendBackForm,
        services.send_back_reply,
        gettext_lazy("The reply was sent back to the department."),
    ),
    "reject": (
        forms.RejectForm,
        services.reject_petition,
        gettext_lazy("Rejected; the enterprise was given the reason."),
    ),
    "merge": (
        forms.MergeForm,
        services.merge_petition,
        gettext_lazy("Merged; the enterprise was given the reason."),
    ),
    "note": (forms.NoteForm, services.add_note, gettext_lazy("Note added.")),
}


@require_POST
@staff_required
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in STAFF_ACTIONS:
        raise Http404
    petition = _get_petition_for_staff(pk)
    form_class, service, success = STAFF_ACTIONS[action]
    form = form_class(request.POST)
    if form.is_valid():
        _run_service(
            request,
            lambda: service(petition=petition, actor=request.user, **form.cleaned_data),
            success,
        )
    else:
        _form_errors(request, form)
    return redirect("petitions:staff_detail", pk=pk)


@staff_required
def cycle(request: HttpRequest) -> HttpResponse:
    """When each review step last ran and what it did; the runs of recent weeks."""
    context = {
        "last_runs": selectors.last_runs(),
        "page": _page(
            request, ReviewRun.objects.defer("report").order_by("-started_at", "-pk")
        ),
    }
    return render(request, "petitions/cycle.html", context)


# --- reports and escalations (staff and leaders) ---------------------------------------------


LEADER_KINDS = (ReviewRun.Kind.MONTHLY, ReviewRun.Kind.QUARTERLY)


def _get_run_for_user(request: HttpRequest, pk: int) -> ReviewRun:
    runs = ReviewRun.objects.all()
    if not roles_of(request.user).is_staff:
        runs = runs.filter(kind__in=LEADER_KINDS)
    return get_object_or_404(runs, pk=pk)


@leadership_required
def reports(request: HttpRequest) -> HttpResponse:
    # The list shows each run's figures (stats), never its report with its lists.
    runs = (
        ReviewRun.objects.filter(kind__in=LEADER_KINDS)
        .defer("report")
        .order_by("-period_start", "kind")
    )
    return render(request, "petitions/reports.html", {"page": _page(request, runs)})


@leadership_required
def leader_home(request: HttpRequest) -> HttpResponse:
    """The district leader's figures (领导看板): this month and last, the 三率 of twelve
    months, departments to watch, escalations waiting, groups and activities; with
    `?format=xlsx`, the page's tables as an Excel file."""
    today = timezone.localdate()
    figures = leader.overview(today=today, now=timezone.now())
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(leader.workbook(figures), content_type=sheets.XLSX)
        response["Content-Disposition"] = content_disposition(
            f"leader-{today:%Y%m%d}.xlsx"
        )
        return response
    context = {"figures": figures, "charts": leader.chart_data(figures)}
    return render(request, "petitions/leader_home.html", context)


# Petitions listed per list of a report page; the Excel export has them all.
REPORT_LIST_ROWS = 100


@leadership_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    run = _get_run_for_user(request, pk)
    lists = {}
    for key in (
        "intake",
        "untriaged",
        "due_next_working_day",
        "newly_supervised",
        "closed_without_rating",
        "uncleared",
        "escalated",
    ):
        if run.report.get(key):
            lists[key] = run.report[key]
    shown = {key: pks[:REPORT_LIST_ROWS] for key, pks in lists.items()}

    def listed():
        everyone = selectors.petitions_by_pk(
            [pk for pks in shown.values() for pk in pks]
        )
        by_pk = {p.pk: p for p in everyone}
        return [
            (LIST_LABELS[key], [by_pk[p] for p in shown[key] if p in by_pk], len(pks))
            for key, pks in lists.items()
        ]

    context = {
        "run": run,
        "totals": run.report.get("totals"),
        # The lists are kept in the cache under the data's version (report.html):
        # their petitions are read only when they are not there.
        "version": selectors.data_version(),
        "cache_seconds": selectors.CACHE_SECONDS,
        "today": timezone.localdate(),
        "lists": SimpleLazyObject(listed),
        "channels": [
            (channel_label(row["code"]), row["count"])
            for row in run.report.get("by_channel", [])
        ],
        "figures": [(label, key) for label, key in sheets.FIGURES],
    }
    return render(request, "petitions/report.html", context)


LIST_LABELS = {
    "intake": gettext_lazy("Received since the last study"),
    "untriaged": gettext_lazy("Not triaged within one working day"),
    "due_next_working_day": gettext_lazy(
        "Due on the next working day (departments reminded)"
    ),
    "newly_supervised": gettext_lazy("Overdue, now under supervision"),
    "closed_without_rating": gettext_lazy("Closed without a rating"),
    "uncleared": gettext_lazy("Not cleared"),
    "escalated": gettext_lazy("Escalated to the district leaders"),
}


@leadership_required
def report_export(request: HttpRequest, pk: int) -> HttpResponse:
    run = _get_run_for_user(request, pk)
    if run.kind not in LEADER_KINDS:
        raise Http404
    uncleared = selectors.petitions_by_pk(run.report.get("uncleared", []))
    response = HttpResponse(
        sheets.report_workbook(run, uncleared=uncleared), content_type=sheets.XLSX
    )
    response["Content-Disposition"] = content_disposition(
        f"{run.kind}-{run.period_start:%Y%m%d}.xlsx"
    )
    return response


@leadership_required
def leader_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A district leader reads an escalated petition: the enterprise's words, the
    department, every event and the reply, and may write an instruction (批示) on it;
    staff read it too. Others are 404."""
    return _leader_page(request, get_object_or_404(selectors.leader_petitions(), pk=pk))


def _leader_page(
    request: HttpRequest, petition: Petition, instruction_form=None
) -> HttpResponse:
    """The leaders' page of a petition; `instruction_form` is a refused instruction,
    shown again with what was typed and its errors."""
    may_instruct = roles_of(request.user).is_leader and not petition.has_ended
    if instruction_form is None and may_instruct:
        instruction_form = forms.InstructionForm(auto_id="instruction_%s")
    context = {
        "petition": petition,
        "events": selectors.timeline(petition=petition, audience="staff"),
        "escalations": list(petition.escalations.all()),
        "today": timezone.localdate(),
        "audience": "leader",
        "instructions": selectors.instructions(petition=petition),
        "instruction_form": instruction_form if may_instruct else None,
    }
    return render(request, "petitions/follow.html", context)


@require_POST
@role_required(Role.LEADER)
def instruct(request: HttpRequest, pk: int) -> HttpResponse:
    """A district leader writes an instruction (批示) on a petition they may open; staff
    and officials are refused (403), like everyone without the role."""
    petition = get_object_or_404(selectors.leader_petitions(), pk=pk)
    form = forms.InstructionForm(request.POST, auto_id="instruction_%s")
    if form.is_valid():
        try:
            services.write_instruction(
                petition=petition, actor=request.user, **form.cleaned_data
            )
        except services.PetitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _instruction_sent(petition))
            return redirect("petitions:leader_detail", pk=petition.pk)
    return _leader_page(request, petition, instruction_form=form)


def _instruction_sent(petition: Petition) -> str:
    if petition.department_id and petition.dispatched_at:
        return _("The instruction was sent to %(department)s.") % {
            "department": petition.department.name
        }
    return _("The instruction was recorded; the chamber's staff will follow it up.")


@role_required(Role.REPRESENTATIVE)
def registered_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The representative follows a petition registered from their duty log: its status
    and public timeline. Another representative's is 404."""
    petition = get_object_or_404(
        Petition.objects.select_related("category", "department", "duty_log_entry"),
        pk=pk,
        duty_log_entry__shift__representative=_member(request),
    )
    context = {
        "petition": petition,
        "events": selectors.timeline(petition=petition, audience="enterprise"),
        "leaders_following": petition.events.instructions().exists(),
        "today": timezone.localdate(),
        "audience": "representative",
    }
    return render(request, "petitions/follow.html", context)


@leadership_required
def escalations(request: HttpRequest) -> HttpResponse:
    """Petitions put before the district leaders that are not yet settled."""
    show_all = request.GET.get("all") == "1"
    found = selectors.escalations(open_only=not show_all)
    context = {
        # Kept in the cache under the data's version (escalations.html): the list is
        # counted and read only when it is not there.
        "version": selectors.data_version(),
        "cache_seconds": selectors.CACHE_SECONDS,
        "page_number": request.GET.get("page", ""),
        "page": SimpleLazyObject(lambda: _page(request, found)),
        "show_all": show_all,
        "today": timezone.localdate(),
        "escalate_after": SimpleLazyObject(
            lambda: method_rules.current().escalate_after
        ),
    }
    return render(request, "petitions/escalations.html", context)
