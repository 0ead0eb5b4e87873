"""The staff admin of groups, rules, the ledger and awards: import, copy, export, query counts.

Membership imports go through the real two steps (upload with a dry run, then
confirm); a file with one bad row is refused whole (IN-2 for the exports).
"""

import csv
import io

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains

from groups import services
from groups.models import ActivityGroup, GroupMembership
from groups.resources import GroupMembershipResource, PointsEntryResource
from tests.factories import (
    ActivityGroupFactory,
    AwardKindFactory,
    GroupMembershipFactory,
    MemberFactory,
    PointRuleFactory,
    StaffFactory,
)

YEAR = 2026
XLSX, CSV = "0", "1"  # the admin's format choices, in SpreadsheetAdminMixin.formats


def import_headers(language: str = "zh-hans") -> list[str]:
    """Year, group number, member, leader: the columns a staff file needs."""
    with translation.override(language):
        fields = GroupMembershipResource.fields
        return [
            str(fields[name].column_name)
            for name in ("year", "group", "member", "is_leader")
        ]


def xlsx(header: list[str], rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, content: bytes, fmt: str = XLSX, name: str = "groups.xlsx"):
    return client.post(
        reverse("admin:groups_groupmembership_import"),
        {
            "resource": "0",
            "format": fmt,
            "import_file": SimpleUploadedFile(name, content),
        },
    )


def confirm(client, preview):
    form = preview.context["confirm_form"]
    assert form is not None, "the preview has no confirm button"
    return client.post(
        reverse("admin:groups_groupmembership_process_import"),
        {name: form.initial[name] for name in form.fields},
    )


def export(client, model: str, resource: type, fmt: str = XLSX):
    data = {"format": fmt, "resource": "0"}
    prefix = resource.__name__.lower()
    for name in resource().get_export_order():
        data[f"{prefix}_{name}"] = "on"
    response = client.post(reverse(f"admin:groups_{model}_export"), data)
    assert response.status_code == 200, response.content[:500]
    return response


def memberships() -> list[tuple]:
    return list(
        GroupMembership.objects.order_by("pk").values_list(
            "pk", "group", "member", "year", "is_leader"
        )
    )


@pytest.fixture
def staff_client(client, db):
    client.force_login(StaffFactory())
    return client


@pytest.fixture
def english_staff_client(staff_client):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return staff_client


@pytest.fixture
def district(db):
    """Groups 1 and 2 of the year, and three members with mobiles who are in no group."""
    return {
        "one": ActivityGroupFactory(year=YEAR, number=1),
        "two": ActivityGroupFactory(year=YEAR, number=2),
        "wang": MemberFactory(mobile="13800000001", user__full_name="王小明"),
        "li": MemberFactory(mobile="13800000002", user__username="li-hong"),
        "zhao": MemberFactory(mobile="", user__username="zhao-liu"),
    }


# Import of memberships


def test_membership_file_places_members_in_their_groups_with_leaders(
    staff_client, district
):
    content = xlsx(
        import_headers(),
        [
            [YEAR, 1, "138 0000 0001", "是"],
            [YEAR, 1, 13800000002, "否"],  # a number cell
            [str(YEAR), "2", "zhao-liu", None],  # text cells, by username
        ],
    )

    preview = upload(staff_client, content)

    assert preview.status_code == 200
    assert not GroupMembership.objects.exists()
    response = confirm(staff_client, preview)

    assert response.status_code == 302
    placed = {
        (m.member_id, m.group_id, m.year, m.is_leader)
        for m in GroupMembership.objects.all()
    }
    assert placed == {
        (district["wang"].pk, district["one"].pk, YEAR, True),
        (district["li"].pk, district["one"].pk, YEAR, False),
        (district["zhao"].pk, district["two"].pk, YEAR, False),
    }


def test_importing_a_member_of_the_same_group_again_updates_the_leader_flag(
    staff_client, district
):
    GroupMembershipFactory(group=district["one"], member=district["wang"])
    content = xlsx(import_headers("en"), [[YEAR, 1, "13800000001", "Yes"]])

    confirm(staff_client, upload(staff_client, content))

    (membership,) = GroupMembership.objects.all()
    assert (membership.group, membership.is_leader) == (district["one"], True)


BAD_FILES = {
    "in two groups in the file": (
        [[YEAR, 1, "13800000002", "否"], [YEAR, 2, "li-hong", "否"]],
        ["two groups of 2026 in this file", "group 1 on row 2"],
    ),
    "already in another group": (
        [[YEAR, 2, "13800000001", "否"]],
        ["王小明 is already in 2026 Group 1"],
    ),
    "unknown member": (
        [[YEAR, 1, "13999999999", "否"]],
        ["No member has the mobile number or username 13999999999"],
    ),
    "unknown group number": (
        [[YEAR, 7, "13800000002", "否"]],
        ["There is no group 7 in 2026"],
    ),
    "group of a year without groups": (
        [[YEAR + 1, 1, "13800000002", "否"]],
        ["There is no group 1 in 2027"],
    ),
    "no year": (
        [[None, 1, "13800000002", "否"]],
        ["Enter the year"],
    ),
    "leader neither yes nor no": (
        [[YEAR, 1, "13800000002", "也许"]],
        ["也许"],
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_membership_file_with_a_bad_row_is_refused_whole(
    english_staff_client, district, case
):
    GroupMembershipFactory(group=district["one"], member=district["wang"])
    good = [YEAR, 2, "zhao-liu", "是"]
    bad_rows, expected = BAD_FILES[case]
    before = memberships()

    response = upload(
        english_staff_client, xlsx(import_headers("en"), [good, *bad_rows])
    )

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    result = response.context["result"]
    assert result.has_validation_errors()
    found = " ".join(
        f"{label} {' '.join(errors)}"
        for row in result.invalid_rows
        for label, errors in row.error_dict.items()
    )
    for fragment in expected:
        assert fragment in found, found
    assert memberships() == before


def test_refused_membership_file_says_so_in_chinese(staff_client, district):
    content = xlsx(import_headers(), [[YEAR, 9, "13800000001", "是"]])

    response = upload(staff_client, content)

    assertContains(response, "未导入任何数据")
    assertContains(response, "13800000001")
    assert not GroupMembership.objects.exists()


def test_exported_memberships_import_back_unchanged(staff_client, district):
    GroupMembershipFactory(
        group=district["one"], member=district["wang"], is_leader=True
    )
    GroupMembershipFactory(group=district["two"], member=district["zhao"])
    before = memberships()

    exported = export(staff_client, "groupmembership", GroupMembershipResource)
    header, *rows = openpyxl.load_workbook(io.BytesIO(exported.content)).active.values
    preview = upload(staff_client, exported.content)
    confirm(staff_client, preview)

    assert len(rows) == 2
    with translation.override("zh-hans"):
        assert list(header) == [
            str(h) for h in GroupMembershipResource().get_export_headers()
        ]
    assert memberships() == before


# Copying groups to the next year


def test_copy_action_makes_next_years_groups_with_members_and_leaders(
    english_staff_client, district
):
    staff_client = english_staff_client
    GroupMembershipFactory(
        group=district["one"], member=district["wang"], is_leader=True
    )
    GroupMembershipFactory(group=district["two"], member=district["li"])
    ActivityGroupFactory(year=YEAR - 1, number=1)  # not selected: not copied again

    response = staff_client.post(
        reverse("admin:groups_activitygroup_changelist"),
        {
            "action": "copy_to_next_year",
            "_selected_action": [district["one"].pk],
        },
        follow=True,
    )

    assert response.status_code == 200
    new = ActivityGroup.objects.filter(year=YEAR + 1)
    assert sorted(new.values_list("number", flat=True)) == [1, 2]
    assert set(
        GroupMembership.objects.filter(year=YEAR + 1).values_list(
            "member", "group__number", "is_leader"
        )
    ) == {(district["wang"].pk, 1, True), (district["li"].pk, 2, False)}
    assert ActivityGroup.objects.filter(year=YEAR).count() == 2
    assertContains(response, "2 groups were made for the next year.")


def test_copying_again_makes_nothing_and_says_so(english_staff_client, district):
    services.copy_groups(from_year=YEAR, to_year=YEAR + 1)

    response = english_staff_client.post(
        reverse("admin:groups_activitygroup_changelist"),
        {"action": "copy_to_next_year", "_selected_action": [district["one"].pk]},
        follow=True,
    )

    assert ActivityGroup.objects.filter(year=YEAR + 1).count() == 2
    assertContains(response, "No group was made")


# Group pages of the admin


def test_group_list_shows_member_count_and_leaders(staff_client, district):
    GroupMembershipFactory(
        group=district["one"], member=district["wang"], is_leader=True
    )
    GroupMembershipFactory(group=district["one"], member=district["li"])

    response = staff_client.get(
        reverse("admin:groups_activitygroup_changelist"), {"year": YEAR}
    )

    rows = {g.pk: g for g in response.context["cl"].result_list}
    assert rows[district["one"].pk]._members == 2
    assert rows[district["two"].pk]._members == 0
    assertContains(response, "王小明")


def test_inline_refuses_a_member_already_in_another_group_that_year(
    english_staff_client, district
):
    GroupMembershipFactory(group=district["one"], member=district["wang"])
    group = district["two"]
    prefix = "memberships"

    response = english_staff_client.post(
        reverse("admin:groups_activitygroup_change", args=[group.pk]),
        {
            "year": group.year,
            "number": group.number,
            "name": "",
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-member": district["wang"].pk,
            f"{prefix}-1-member": district["li"].pk,
            f"{prefix}-1-is_leader": "on",
        },
    )

    assert response.status_code == 200  # the form again, with the error
    assertContains(response, "is already in 2026 Group 1")
    assert GroupMembership.objects.filter(group=group).count() == 0


def test_a_new_group_with_a_member_of_another_group_that_year_is_refused(
    english_staff_client, district
):
    GroupMembershipFactory(group=district["one"], member=district["wang"])

    response = english_staff_client.post(
        reverse("admin:groups_activitygroup_add"),
        {
            "year": YEAR,
            "number": 3,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-member": district["wang"].pk,
        },
    )

    assertContains(response, "is already in 2026 Group 1")
    assert not ActivityGroup.objects.filter(number=3).exists()


def test_member_count_links_to_the_groups_memberships(staff_client, district):
    GroupMembershipFactory(group=district["one"], member=district["wang"])
    GroupMembershipFactory(group=district["two"], member=district["li"])
    listing = staff_client.get(reverse("admin:groups_activitygroup_changelist"))
    link = (
        reverse("admin:groups_groupmembership_changelist")
        + f"?group__id__exact={district['one'].pk}"
    )

    response = staff_client.get(link)

    assertContains(listing, link.replace("&", "&amp;"))
    assert [m.member for m in response.context["cl"].result_list] == [district["wang"]]


def test_inline_refuses_the_same_member_twice(english_staff_client, district):
    group = district["two"]

    response = english_staff_client.post(
        reverse("admin:groups_activitygroup_change", args=[group.pk]),
        {
            "year": group.year,
            "number": group.number,
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-member": district["li"].pk,
            "memberships-1-member": district["li"].pk,
        },
    )

    assertContains(response, "listed twice")
    assert not GroupMembership.objects.exists()


def test_inline_adds_members_and_leaders(staff_client, district):
    group = district["two"]

    response = staff_client.post(
        reverse("admin:groups_activitygroup_change", args=[group.pk]),
        {
            "year": group.year,
            "number": group.number,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-member": district["li"].pk,
            "memberships-0-is_leader": "on",
        },
    )

    assert response.status_code == 302
    (membership,) = GroupMembership.objects.all()
    assert (membership.member, membership.year, membership.is_leader) == (
        district["li"],
        YEAR,
        True,
    )


def _add_groups(n: int, year: int) -> None:
    for number in range(1, n + 1):
        group = ActivityGroupFactory(year=year, number=number)
        GroupMembershipFactory(group=group, is_leader=True)
        GroupMembershipFactory(group=group, is_leader=True)
        GroupMembershipFactory(group=group)


def _queries(client, url: str) -> int:
    client.get(url)  # warm the per-user cache, so both counts are of a steady page
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        "admin:groups_activitygroup_changelist",
        "admin:groups_groupmembership_changelist",
        "admin:groups_pointsentry_changelist",
    ],
)
def test_changelist_query_count_does_not_grow_with_groups(staff_client, url):
    url = reverse(url)
    staff = StaffFactory()
    rule = PointRuleFactory()

    def add(n: int, year: int) -> None:
        _add_groups(n, year)
        for m in GroupMembership.objects.filter(year=year):
            services.award_points(
                member=m.member, rule=rule, source_id=1, source_label="活动", year=year
            )
            services.record_manual_points(
                member=m.member, points=1, reason="手动", actor=staff, year=year
            )

    add(3, YEAR)
    few = _queries(staff_client, url)
    add(30, YEAR + 1)

    assert _queries(staff_client, url) == few


# The ledger export


def test_ledger_export_neutralises_formula_like_reasons(staff_client):
    member = MemberFactory(user__full_name="=HYPERLINK(1)")
    staff = StaffFactory()
    services.record_manual_points(
        member=member, points=-3, reason="=1+1", actor=staff, year=YEAR
    )
    services.record_manual_points(
        member=member, points=5, reason="＠SUM(A1)", actor=staff, year=YEAR
    )

    book = openpyxl.load_workbook(
        io.BytesIO(export(staff_client, "pointsentry", PointsEntryResource).content)
    )
    header, *rows = list(book.active.iter_rows())
    text = export(staff_client, "pointsentry", PointsEntryResource, CSV).content
    csv_header, *csv_rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))

    reasons = {cell.value for row in rows for cell in row}
    assert {"'=1+1", "'＠SUM(A1)", "'=HYPERLINK(1)"} <= reasons
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
    column = [str(c.value) for c in header].index(
        str(PointsEntryResource.fields["points"].column_name)
    )
    assert sorted(row[column].value for row in rows) == [-3, 5]  # numbers stay numbers
    assert all(row[column].data_type == "n" for row in rows)
    csv_values = {value for row in csv_rows for value in row}
    assert {"'=1+1", "'＠SUM(A1)", "'=HYPERLINK(1)"} <= csv_values
    assert len(csv_rows) == 2


def test_ledger_cannot_be_imported(staff_client):
    response = staff_client.get(reverse("admin:groups_pointsentry_import"))

    assert response.status_code == 403


# Who may open these pages


@pytest.fixture
def everything(db):
    staff = StaffFactory()
    group = ActivityGroupFactory(year=YEAR, number=1)
    member = GroupMembershipFactory(group=group, is_leader=True).member
    entry, _created = services.award_points(
        member=member,
        rule=PointRuleFactory(),
        source_id=1,
        source_label="活动",
        year=YEAR,
    )
    kind = AwardKindFactory()
    award = services.confirm_award(kind=kind, year=YEAR, actor=staff, group=group)
    return {
        "activitygroup": group,
        "groupmembership": group.memberships.get(),
        "pointrule": entry.rule,
        "pointsentry": entry,
        "awardkind": kind,
        "award": award,
    }


MODELS = [
    "activitygroup",
    "groupmembership",
    "pointrule",
    "pointsentry",
    "awardkind",
    "award",
]


@pytest.mark.parametrize("model", MODELS)
def test_staff_open_every_list_and_change_page(staff_client, everything, model):
    obj = everything[model]

    listing = staff_client.get(reverse(f"admin:groups_{model}_changelist"))
    change = staff_client.get(reverse(f"admin:groups_{model}_change", args=[obj.pk]))

    assert (listing.status_code, change.status_code) == (200, 200)


@pytest.mark.parametrize(
    "model", ["activitygroup", "groupmembership", "pointrule", "awardkind"]
)
def test_staff_open_the_add_pages_of_data_they_edit(staff_client, model):
    assert staff_client.get(reverse(f"admin:groups_{model}_add")).status_code == 200


def test_awards_are_read_only_in_the_admin(staff_client, everything):
    award = everything["award"]

    page = staff_client.get(reverse("admin:groups_award_change", args=[award.pk]))
    post = staff_client.post(
        reverse("admin:groups_award_change", args=[award.pk]), {"rank": 9}
    )

    assert 'name="_save"' not in page.content.decode()
    assert post.status_code == 403
    assert staff_client.get(reverse("admin:groups_award_add")).status_code == 403


@pytest.mark.parametrize("model", MODELS)
def test_a_member_cannot_open_the_admin(client, everything, model):
    member = everything["groupmembership"].member
    client.force_login(member.user)

    response = client.get(reverse(f"admin:groups_{model}_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
