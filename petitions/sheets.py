"""Excel in and out: the opinion-form sheet of a consultation day, and the reports.

Every cell written goes through chamber.exports.safe_cell, so a title such as
"=HYPERLINK(…)" stays text in the staff's spreadsheet.
"""

from io import BytesIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook, load_workbook

from chamber.exports import safe_cell
from chamber.ranking import rank_label
from chamber.times import beijing_date, spreadsheet_cell
from petitions import rates
from petitions.forms import MAX_BATCH_ROWS, SHEET_COLUMNS
from petitions.models import Petition, ReviewRun, channel_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Number formats: a rate is a number Excel shows as a percentage (75.0%), and sums,
# sorts and charts as one; times are Beijing time (chamber.times).
PERCENT = "0.0%"
DAY = "yyyy-mm-dd"
MINUTE = "yyyy-mm-dd hh:mm"


def read_opinion_forms(upload) -> list[tuple[int, dict]]:
    """(row number, row data) for each non-empty row under the heading row; refuses other files."""
    head = upload.read(4)
    upload.seek(0)
    if head != b"PK\x03\x04":
        raise ValidationError(_("This is not an Excel (.xlsx) file."))
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ValidationError(
            _("This Excel file cannot be read; save it again and retry.")
        ) from None
    rows = []
    for number, values in enumerate(
        book.active.iter_rows(min_row=2, values_only=True), start=2
    ):
        cells = ["" if v is None else str(v).strip() for v in (values or ())][
            : len(SHEET_COLUMNS)
        ]
        if not any(cells):
            continue
        cells += [""] * (len(SHEET_COLUMNS) - len(cells))
        rows.append((number, dict(zip(SHEET_COLUMNS, cells, strict=True))))
        if len(rows) > MAX_BATCH_ROWS:
            raise ValidationError(
                _("A batch holds at most %(n)d rows; split the sheet.")
                % {"n": MAX_BATCH_ROWS}
            )
    book.close()
    if not rows:
        raise ValidationError(_("The sheet has no rows under its heading row."))
    return rows


def opinion_form_template() -> bytes:
    """An empty sheet with the heading row, for staff to fill in."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("opinion forms")[:31]
    sheet.append(
        [
            _("enterprise (name or credit code)"),
            _("contact person"),
            _("contact phone"),
            pgettext("heading", "title"),
            _("description"),
            _("category"),
            _("form number"),
        ]
    )
    return _save(book)


def _save(book: Workbook) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rank(row: dict):
    """The place as a number, or "并列第4" when shared; "not ranked" under 3 petitions."""
    if row["rank"] is None:
        return _("not ranked")
    if row.get("tied"):
        return rank_label(row["rank"], True)
    return row["rank"]


def _format(sheet, column: int, number_format: str, *, first_row: int = 2) -> None:
    for (cell,) in sheet.iter_rows(
        min_row=first_row, min_col=column, max_col=column, max_row=sheet.max_row
    ):
        cell.number_format = number_format


def rate_headings(chosen=rates.RATES) -> list[str]:
    """The headings of rate columns: each rate, then its numerator and denominator."""
    headings = []
    for r in chosen:
        headings += [str(r.label), str(r.part_label), str(r.whole_label)]
    return headings


def figure_cells(figures) -> list:
    """The cells under `rate_headings`: each rate as a number Excel shows as 75.0%, its
    numerator and its denominator."""
    cells = []
    for figure in figures:
        cells += [rates.as_fraction(figure.value), figure.part, figure.whole]
    return cells


def rate_cells(source: dict, chosen=rates.RATES) -> list:
    """`figure_cells` of the rates `chosen` of a report's totals or a department's row."""
    return figure_cells(rates.figure(source, r.key) for r in chosen)


def format_rate_columns(sheet, first_column: int, chosen=rates.RATES, **kw) -> None:
    """Format the rate columns written by `rate_cells` from `first_column` on."""
    for n in range(len(chosen)):
        _format(sheet, first_column + 3 * n, PERCENT, **kw)


def report_workbook(run: ReviewRun, *, uncleared: list[Petition] = ()) -> bytes:
    """A stored monthly or quarterly report as a workbook: figures (each rate with its
    numerator and denominator), intake, departments, repeats."""
    report, totals = run.report, run.report.get("totals", {})
    book = Workbook()
    sheet = book.active
    sheet.title = _("figures")[:31]
    sheet.append(
        [
            safe_cell(str(run)),
            f"{run.period_start:%Y-%m-%d}",
            f"{run.period_end:%Y-%m-%d}",
        ]
    )
    sheet.append(
        [
            pgettext("a measured value", "figure"),
            _("value"),
            _("numerator"),
            _("denominator"),
        ]
    )
    for label, key in FIGURES:
        if key in rates.BY_KEY:
            sheet.append([str(label), *rate_cells(totals, [rates.BY_KEY[key]])])
            sheet.cell(row=sheet.max_row, column=2).number_format = PERCENT
        else:
            sheet.append([str(label), totals.get(key)])
    intake = book.create_sheet(_("intake")[:31])
    intake.append([_("channel"), _("petitions")])
    for row in report.get("by_channel", []):
        intake.append([channel_label(row["code"]), row["count"]])
    intake.append([])
    intake.append([_("category"), _("petitions")])
    for row in report.get("by_category", []):
        intake.append([safe_cell(row["name"] or _("not categorised")), row["count"]])
    deps = book.create_sheet(_("departments")[:31])
    deps.append(
        [
            _("rank"),
            _("department"),
            _("petitions"),
            _("dispatched"),
            *rate_headings(),
            str(rates.GAP_LABEL),
            _("no rating"),
            _("rated on a return visit"),
            _("working days paused for the enterprise"),
            _("extensions asked"),
            _("extensions approved"),
            _("extensions refused"),
            _("returned"),
        ]
    )
    for row in report.get("departments", []):
        deps.append(
            [
                _rank(row),
                safe_cell(row["name"]),
                row["petitions"],
                row["dispatched"],
                *rate_cells(row),
                row.get(rates.GAP),
                *(
                    row.get(key)
                    for key in (
                        "no_rating",
                        "rated_by_staff",
                        "paused_days",
                        "extensions_asked",
                        "extensions_approved",
                        "extensions_refused",
                    )
                ),
                row["bounces"],
            ]
        )
    format_rate_columns(deps, 5)
    repeats = book.create_sheet(_("repeat petitions")[:31])
    repeats.append(
        [
            _("category"),
            _("merged into another petition"),
            _("added to an existing petition"),
            _("repeat petitions"),
        ]
    )
    for row in report.get("repeats", []):
        repeats.append(
            [
                safe_cell(row["name"] or _("not categorised")),
                row["merged"],
                row["additions"],
                row["count"],
            ]
        )
    if uncleared:
        left = book.create_sheet(_("not cleared")[:31])
        left.append(
            [
                _("number"),
                _("enterprise"),
                pgettext("heading", "title"),
                pgettext("state of a record", "status"),
                _("department"),
                _("received at"),
                _("due date"),
            ]
        )
        for p in uncleared:
            left.append(
                [
                    p.number,
                    safe_cell(p.enterprise.name),
                    safe_cell(p.title),
                    str(p.get_status_display()),
                    safe_cell(p.department.name if p.department else ""),
                    beijing_date(p.created_at),
                    p.due_on,
                ]
            )
        _format(left, 6, DAY)
        _format(left, 7, DAY)
    return _save(book)


def petitions_workbook(petitions) -> bytes:
    """The staff's filtered list as a workbook."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("petitions")[:31]
    sheet.append(
        [
            _("number"),
            _("enterprise"),
            pgettext("heading", "title"),
            _("channel"),
            _("category"),
            pgettext("state of a record", "status"),
            _("department"),
            _("received at"),
            _("due date"),
        ]
    )
    for p in petitions:
        sheet.append(
            [
                p.number,
                safe_cell(p.enterprise.name),
                safe_cell(p.title),
                str(p.get_channel_display()),
                safe_cell(p.category.name if p.category else ""),
                str(p.get_status_display()),
                safe_cell(p.department.name if p.department else ""),
                spreadsheet_cell(p.created_at),
                p.due_on,
            ]
        )
    _format(sheet, 8, MINUTE)
    _format(sheet, 9, DAY)
    return _save(book)


def _rate_label(key: str):
    return rates.BY_KEY[key].label


# The report's figures in the order of its page and workbook: (label, key in totals).
FIGURES = [
    (gettext_lazy("petitions received"), "intake"),
    (gettext_lazy("answers given"), "answered"),
    (gettext_lazy("answered by the due date"), "answered_on_time"),
    (_rate_label("response_rate"), "response_rate"),
    (gettext_lazy("answered by the original due date"), "answered_on_time_original"),
    (_rate_label("response_rate_original"), "response_rate_original"),
    (gettext_lazy("working days paused for the enterprise"), "paused_days"),
    (gettext_lazy("extensions asked"), "extensions_asked"),
    (gettext_lazy("extensions approved"), "extensions_approved"),
    (gettext_lazy("extensions refused"), "extensions_refused"),
    (gettext_lazy("declared resolved by the department"), "resolved"),
    (gettext_lazy("partly resolved"), "partly"),
    (gettext_lazy("explained, with a follow-up plan"), "explained"),
    (_rate_label("declared_resolution_rate"), "declared_resolution_rate"),
    (gettext_lazy("answers whose rating time ended"), "rating_ended"),
    (gettext_lazy("ratings"), "rated"),
    (gettext_lazy("rated on a return visit"), "rated_by_staff"),
    (gettext_lazy("no rating"), "no_rating"),
    (_rate_label("visit_rate"), "visit_rate"),
    (gettext_lazy("solved, in the enterprise's word"), "solved"),
    (gettext_lazy("partly solved, in the enterprise's word"), "partly_solved"),
    (gettext_lazy("not solved, in the enterprise's word"), "unsolved"),
    (gettext_lazy("ratings saying whether it was solved"), "rated_with_solved"),
    (_rate_label("resolution_rate"), "resolution_rate"),
    (rates.GAP_LABEL, rates.GAP),
    (gettext_lazy("satisfied"), "satisfied"),
    (gettext_lazy("basically satisfied"), "basically"),
    (gettext_lazy("unsatisfied"), "unsatisfied"),
    (gettext_lazy("satisfied or basically satisfied"), "satisfied_or_basically"),
    (_rate_label("satisfaction_rate"), "satisfaction_rate"),
    (gettext_lazy("median working days to reply"), "median_days"),
    (gettext_lazy("90th percentile of working days to reply"), "p90_days"),
    (gettext_lazy("returned by departments"), "bounces"),
    (gettext_lazy("merged into another petition"), "merged"),
    (gettext_lazy("added to an existing petition"), "additions"),
    (gettext_lazy("repeat petitions"), "repeats"),
]
