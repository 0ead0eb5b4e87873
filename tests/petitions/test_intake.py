"""Petitions coming in (petitions/services/intake.py): online, from the duty log, in batches.

Every petition gets the next number of its year (XS-2026-0001), never a number given
before; attachments are checked by their content; a duty-log appeal becomes one petition;
a batch is entered once however often it is submitted, with a query count that does not
grow with its size. The races run on PostgreSQL only.

Messages are checked in English (the msgids); the services translate at raise time.
"""

import re
import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from petitions import services
from petitions.models import IntakeBatch, Petition, PetitionAttachment, PetitionEvent
from petitions.services import BatchRow, PetitionError
from tests.factories import (
    ActivityFactory,
    DutyLogEntryFactory,
    EnterpriseFactory,
    MemberFactory,
    OfficialFactory,
    RepresentativeFactory,
    StaffFactory,
)

Channel = Petition.Channel


YINGKOU = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment in Asia/Shanghai (the site's time zone)."""
    return datetime(year, month, day, hour, minute, tzinfo=YINGKOU)


NOW = at(2026, 3, 2)
PNG = (  # a whole 1×1 picture: uploads are walked to their IEND chunk
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
    b"\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
HTML = (
    b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
)
NOT_A_PICTURE = (
    "Only pictures (PNG, JPEG, GIF, WebP) and PDF documents can be uploaded, "
    "and this file is neither, whatever its name says."
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def member(db):
    return MemberFactory(enterprise__name="营口甲机械制造有限公司")


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def upload(
    name: str, content: bytes, content_type: str = "image/png"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def submit(member, *, now: datetime = NOW, **kwargs) -> Petition:
    kwargs.setdefault("title", "厂区供电容量不足")
    kwargs.setdefault("description", "申请协调供电公司增容，以满足新生产线用电需求。")
    return services.submit_petition(
        enterprise=member.enterprise,
        channel=kwargs.pop("channel", Channel.ONLINE),
        submitted_by=member.user,
        now=now,
        **kwargs,
    )


def numbers() -> list[str]:
    return list(Petition.objects.order_by("pk").values_list("number", flat=True))


def nothing_stored() -> bool:
    return not (
        Petition.objects.exists()
        or PetitionEvent.objects.exists()
        or PetitionAttachment.objects.exists()
    )


# --- numbers -------------------------------------------------------------------------


def test_petitions_are_numbered_in_order_within_the_year(member):
    petitions = [submit(member, now=at(2026, 3, day)) for day in (2, 3, 4)]

    assert [p.number for p in petitions] == [
        "XS-2026-0001",
        "XS-2026-0002",
        "XS-2026-0003",
    ]
    assert numbers() == ["XS-2026-0001", "XS-2026-0002", "XS-2026-0003"]


def test_numbers_restart_each_year_and_never_repeat(member):
    submit(member, now=at(2026, 11, 30))
    submit(member, now=at(2026, 12, 1))
    submit(member, now=at(2027, 1, 4))
    submit(member, now=at(2027, 1, 5))
    # A late entry for the year before carries on from that year's last number.
    submit(member, now=at(2026, 12, 31))

    assert numbers() == [
        "XS-2026-0001",
        "XS-2026-0002",
        "XS-2027-0001",
        "XS-2027-0002",
        "XS-2026-0003",
    ]


def test_the_year_is_the_one_in_china(member):
    # 00:10 on 1 January 2027 in Yingkou is still 31 December 2026 in UTC.
    first_of_2027 = at(2027, 1, 1, 0, 10)
    assert first_of_2027.astimezone(UTC).year == 2026

    submit(member, now=at(2026, 12, 31, 23, 50))
    submit(member, now=first_of_2027)

    assert numbers() == ["XS-2026-0001", "XS-2027-0001"]


def test_a_refused_petition_takes_no_number(member, media):
    submit(member)
    with pytest.raises(PetitionError):
        submit(member, title="   ")
    with pytest.raises(PetitionError):
        submit(member, files=[upload("photo.png", HTML)])

    submit(member)

    assert numbers() == ["XS-2026-0001", "XS-2026-0002"]


# --- what a submission stores ----------------------------------------------------------


def test_a_submission_is_stored_tidily_with_its_first_event(member):
    petition = submit(
        member,
        title="  厂区供电\n容量不足  ",
        description="\n 申请协调供电公司增容。 \n",
        contact_name=" 王经理 ",
        contact_phone=" 0417-1234567 ",
        may_share_anonymously=True,
    )

    petition = Petition.objects.get(pk=petition.pk)
    assert (petition.title, petition.description) == (
        "厂区供电 容量不足",
        "申请协调供电公司增容。",
    )
    assert (petition.contact_name, petition.contact_phone) == ("王经理", "0417-1234567")
    assert (petition.status, petition.channel, petition.created_at) == (
        Petition.Status.SUBMITTED,
        Channel.ONLINE,
        NOW,
    )
    assert (petition.enterprise, petition.submitted_by) == (
        member.enterprise,
        member.user,
    )
    assert petition.may_share_anonymously
    (event,) = petition.events.all()
    assert (event.kind, event.from_status, event.to_status) == (
        "status",
        "",
        "submitted",
    )
    assert (event.actor, event.is_public, event.created_at) == (member.user, True, NOW)
    assert event.data == {"channel": Channel.ONLINE}


@pytest.mark.parametrize(
    ("title", "description"),
    [("", "有内容"), ("  \n ", "有内容"), ("有标题", ""), ("有标题", " \n\t ")],
)
def test_a_petition_needs_a_title_and_a_description(member, title, description):
    with pytest.raises(PetitionError, match="needs a title and a description"):
        submit(member, title=title, description=description)

    assert nothing_stored()


# --- attachments ---------------------------------------------------------------------


def test_pictures_and_pdfs_are_stored_under_random_names(member, media):
    petition = submit(
        member,
        files=[
            upload("现场照片.PNG", PNG),
            upload("../../申请函", PDF, "application/octet-stream"),
        ],
    )

    photo, letter = petition.attachments.all()
    assert (photo.original_name, photo.content_type, photo.size) == (
        "现场照片.PNG",
        "image/png",
        len(PNG),
    )
    # The name the uploader gave is cleaned and given the suffix of what the file is.
    assert (letter.original_name, letter.content_type) == (
        "申请函.pdf",
        "application/pdf",
    )
    assert {a.uploaded_by for a in (photo, letter)} == {member.user}
    assert photo.file.name.startswith("petitions/") and photo.file.name.endswith(".png")
    assert "现场照片" not in photo.file.name and "申请函" not in letter.file.name
    assert sorted(p.read_bytes() for p in stored_files(media)) == sorted([PNG, PDF])


@pytest.mark.parametrize(
    "files",
    [
        [upload("合同扫描件.png", HTML)],
        [
            upload("现场照片.png", PNG),
            upload("合同扫描件.pdf", HTML, "application/pdf"),
        ],
    ],
    ids=["html-named-png", "good-then-html"],
)
def test_a_renamed_html_file_is_refused_and_nothing_is_saved(member, media, files):
    with pytest.raises(PetitionError) as refused:
        submit(member, files=files)

    assert str(refused.value) == NOT_A_PICTURE
    assert nothing_stored()
    assert stored_files(media) == []
    assert submit(member).number == "XS-2026-0001"  # no number was used up


def test_an_empty_file_is_refused(member, media):
    with pytest.raises(PetitionError, match="The file is empty."):
        submit(member, files=[upload("photo.png", b"")])

    assert nothing_stored()
    assert stored_files(media) == []


def test_at_most_five_files(member, media):
    files = [upload(f"照片{n}.png", PNG) for n in range(services.MAX_ATTACHMENTS + 1)]

    with pytest.raises(PetitionError, match="Attach at most 5 files."):
        submit(member, files=files)

    assert nothing_stored()
    assert stored_files(media) == []


def test_files_added_later_count_towards_the_five(member, media):
    petition = submit(member, files=[upload(f"照片{n}.png", PNG) for n in range(4)])

    services.attach_files(
        petition=petition, files=[upload("补充.pdf", PDF)], actor=member.user
    )
    with pytest.raises(PetitionError, match="Attach at most 5 files."):
        services.attach_files(
            petition=petition, files=[upload("再补充.png", PNG)], actor=None
        )

    assert petition.attachments.count() == 5
    assert len(stored_files(media)) == 5


# --- from the duty log ---------------------------------------------------------------


@pytest.fixture
def entry(db):
    """A visit with an appeal, from an enterprise that is a member."""
    return DutyLogEntryFactory(
        enterprise=EnterpriseFactory(name="营口乙食品有限公司"),
        visitor_name="李厂长",
        visitor_phone="13904170000",
        appeal="厂区门前道路破损，大货车无法通行，希望协调修复。",
    )


def from_duty_log(entry, actor, **kwargs):
    return services.petition_from_duty_log(
        entry=entry,
        actor=actor,
        title=kwargs.pop("title", "厂区门前道路破损"),
        description=kwargs.pop("description", "希望协调住建部门修复厂区门前道路。"),
        now=NOW,
        **kwargs,
    )


def test_the_representative_on_duty_turns_an_appeal_into_a_petition(entry):
    representative = entry.shift.representative.user

    petition = from_duty_log(entry, representative)

    petition = Petition.objects.get(pk=petition.pk)
    assert (petition.number, petition.channel, petition.status) == (
        "XS-2026-0001",
        Channel.DUTY_STUDIO,
        Petition.Status.SUBMITTED,
    )
    assert (petition.duty_log_entry, petition.enterprise) == (entry, entry.enterprise)
    assert (petition.contact_name, petition.contact_phone) == ("李厂长", "13904170000")
    assert petition.submitted_by == representative
    (event,) = petition.events.all()
    assert (event.actor, event.data) == (
        representative,
        {"channel": Channel.DUTY_STUDIO},
    )
    entry.refresh_from_db()
    assert entry.petition == petition


def test_staff_may_turn_an_appeal_into_a_petition(entry, staff):
    petition = from_duty_log(entry, staff)

    assert (petition.duty_log_entry, petition.submitted_by) == (entry, staff)


@pytest.mark.parametrize(
    "someone",
    [
        lambda: RepresentativeFactory().user,  # a representative, but not of that week
        lambda: MemberFactory().user,
        lambda: OfficialFactory().user,
    ],
    ids=["another-representative", "member", "official"],
)
def test_only_the_representative_of_that_week_or_staff(entry, someone):
    with pytest.raises(
        PetitionError, match="Only the representative of that duty week or staff"
    ):
        from_duty_log(entry, someone())

    assert nothing_stored()


@pytest.mark.parametrize("appeal", ["", "  \n "])
def test_a_visit_without_an_appeal_is_no_petition(entry, staff, appeal):
    entry.appeal = appeal
    entry.save()

    with pytest.raises(PetitionError, match="This visit brought no appeal."):
        from_duty_log(entry, staff)

    assert nothing_stored()


def test_a_visitor_not_linked_to_a_member_enterprise_is_no_petition_yet(entry, staff):
    entry.enterprise = None
    entry.save()

    with pytest.raises(
        PetitionError, match="Link the visitor to a member enterprise first"
    ):
        from_duty_log(entry, staff)

    assert nothing_stored()


def test_an_appeal_becomes_a_petition_once(entry, staff):
    from_duty_log(entry, entry.shift.representative.user)

    for actor in (entry.shift.representative.user, staff):
        with pytest.raises(PetitionError, match="This appeal is already a petition."):
            from_duty_log(entry, actor, title="再次提交")

    assert numbers() == ["XS-2026-0001"]
    assert PetitionEvent.objects.count() == 1


# --- batches -------------------------------------------------------------------------


def make_rows(n: int) -> list[BatchRow]:
    return [
        BatchRow(
            enterprise=enterprise,
            title=f"意见{i + 1}：融资担保",
            description="希望扩大应急转贷资金规模。",
            contact_name=f"联系人{i + 1}",
        )
        for i, enterprise in enumerate(EnterpriseFactory.create_batch(n))
    ]


def enter(rows, actor, key: str = "consultation-2026-03-02", **kwargs):
    return services.enter_batch(
        key=key,
        rows=rows,
        channel=kwargs.pop("channel", Channel.OPINION_FORM),
        actor=actor,
        source=kwargs.pop("source", "3月2日政企座谈会意见表"),
        now=NOW,
        **kwargs,
    )


def test_a_batch_gives_consecutive_numbers_and_one_event_each(member, staff):
    submit(member)
    rows = make_rows(3)

    batch, created = enter(rows, staff)

    assert created
    assert (batch.size, batch.channel, batch.source, batch.created_by) == (
        3,
        Channel.OPINION_FORM,
        "3月2日政企座谈会意见表",
        staff,
    )
    petitions = list(batch.petitions.order_by("number"))
    assert [p.number for p in petitions] == [
        "XS-2026-0002",
        "XS-2026-0003",
        "XS-2026-0004",
    ]
    assert [(p.enterprise, p.title, p.contact_name) for p in petitions] == [
        (row.enterprise, row.title, row.contact_name) for row in rows
    ]
    assert {(p.channel, p.status, p.submitted_by, p.created_at) for p in petitions} == {
        (Channel.OPINION_FORM, Petition.Status.SUBMITTED, staff, NOW)
    }
    for petition in petitions:
        (event,) = petition.events.all()
        assert (event.to_status, event.actor, event.is_public) == (
            "submitted",
            staff,
            True,
        )
        assert event.data == {"channel": Channel.OPINION_FORM}
    assert submit(member).number == "XS-2026-0005"


def test_a_consultation_day_batch_is_linked_to_its_session(staff):
    session = ActivityFactory(title="政企面对面")

    batch, _created = enter(
        make_rows(2), staff, channel=Channel.CONSULTATION_DAY, activity=session
    )

    assert batch.activity == session
    assert set(batch.petitions.values_list("activity", "channel")) == {
        (session.pk, Channel.CONSULTATION_DAY)
    }


def test_the_same_batch_key_twice_creates_nothing_new(member, staff):
    batch, created = enter(make_rows(3), staff)
    before = (numbers(), PetitionEvent.objects.count())

    again, created_again = enter(make_rows(5), staff)

    assert (created, created_again) == (True, False)
    assert again.pk == batch.pk
    assert (numbers(), PetitionEvent.objects.count()) == before
    assert IntakeBatch.objects.count() == 1
    assert submit(member).number == "XS-2026-0004"  # no numbers taken for the repeat


def statements(queries: list[dict]) -> list[str]:
    """What each statement does, counting once an INSERT the backend split into chunks.

    SQLite takes at most 999 parameters a statement, so Django sends a bulk insert of
    many petitions (some 40 columns each) as several INSERTs; PostgreSQL takes it in one.
    """
    kinds: list[str] = []
    for query in queries:
        sql = re.sub(r'"s\d+_x\d+"', '"savepoint"', query["sql"])
        kind = " ".join(sql.split()[:3])
        if not (kind.startswith("INSERT") and kinds and kinds[-1] == kind):
            kinds.append(kind)
    return kinds


def three_and_sixty(staff) -> tuple[list[dict], list[dict]]:
    """The queries of entering a batch of 3 rows, and of one of 60."""
    enter(
        make_rows(1), staff, key="warm-up"
    )  # the year's number row exists from now on
    small, large = make_rows(3), make_rows(60)
    with CaptureQueriesContext(connection) as three:
        enter(small, staff, key="three")
    with CaptureQueriesContext(connection) as sixty:
        enter(large, staff, key="sixty")
    assert Petition.objects.filter(batch__key="sixty").count() == 60
    assert PetitionEvent.objects.filter(petition__batch__key="sixty").count() == 60
    return three.captured_queries, sixty.captured_queries


def test_a_batch_of_60_rows_runs_the_same_statements_as_one_of_3(staff):
    three, sixty = three_and_sixty(staff)

    assert statements(sixty) == statements(three)


@pytest.mark.postgres
def test_a_batch_costs_the_same_queries_for_60_rows_as_for_3_on_postgresql(staff):
    three, sixty = three_and_sixty(staff)

    assert len(sixty) == len(three)


def test_an_empty_batch_is_refused(staff):
    with pytest.raises(PetitionError, match="The batch has no rows."):
        enter([], staff)

    assert not IntakeBatch.objects.exists()
    assert nothing_stored()
    assert enter(make_rows(1), staff)[1]  # the key is still free


# --- races (PostgreSQL) --------------------------------------------------------------


def run_at_once(*jobs) -> list[BaseException]:
    """Run the jobs in threads released together; return what they raised."""
    barrier = threading.Barrier(len(jobs))
    failures: list[BaseException] = []

    def run(job) -> None:
        try:
            barrier.wait(timeout=10)
            job()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            failures.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_intakes_at_once_never_share_a_number():
    members = [MemberFactory(), MemberFactory()]
    given: list[str] = []

    def ten_petitions(member) -> None:
        for _n in range(10):
            given.append(submit(member).number)

    failures = run_at_once(*(lambda m=m: ten_petitions(m) for m in members))

    assert failures == []
    expected = [f"XS-2026-{n:04d}" for n in range(1, 21)]
    assert sorted(given) == expected
    assert sorted(numbers()) == expected
    assert PetitionEvent.objects.count() == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_batch_entered_twice_at_once_is_entered_once():
    staff = StaffFactory()
    rows = make_rows(4)
    results: list[tuple[int, bool]] = []

    def enter_it() -> None:
        batch, created = enter(rows, staff, key="same-sheet")
        results.append((batch.pk, created))

    failures = run_at_once(enter_it, enter_it)

    assert failures == []
    batch = IntakeBatch.objects.get()
    assert sorted(results) == [(batch.pk, False), (batch.pk, True)]
    assert numbers() == ["XS-2026-0001", "XS-2026-0002", "XS-2026-0003", "XS-2026-0004"]
    assert PetitionEvent.objects.count() == 4
