"""import_workbook: exact counts, idempotent upserts, every kind of bad input, dry runs, shifting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from customers.importer import MAX_LISTED_ERRORS
from customers.models import Customer, CustomerEvent, NpsResponse, Order, Payment, SupportTicket
from customers.services import WorkbookInvalid, workbook_import
from customers.workbook import SHEETS
from customers.workbook_files import workbook_write
from demo.dataset import dataset_generate
from tests.customers.helpers import MODELS, snapshot

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 10, 9)
REAL_WORKBOOK_EXTRA_SHEETS = [
    "products",
    "shipments",
    "refunds",
    "chat_transcripts",
    "agent_actions",
    "recommendations",
    "cx_dashboard_metrics",
    "anomalies_insights",
    "escalation_matrix",
    "agent_profiles",
    "data_dictionary",
]


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return dataset_generate(customers=30, seed=7, as_of=AS_OF)


@pytest.fixture
def workbook(tmp_path: Path, frames: dict[str, pd.DataFrame]) -> Callable[..., Path]:
    """Write (possibly altered) copies of the generated sheets and return the path."""

    def write(change: Callable[[dict[str, pd.DataFrame]], None] | None = None, name: str = "workbook.xlsx") -> Path:
        copies = {sheet: frame.copy().astype(object) for sheet, frame in frames.items()}
        if change is not None:
            change(copies)
        path = tmp_path / name
        workbook_write(copies, path)
        return path

    return write


def test_import_of_a_generated_workbook_gives_the_exact_counts(workbook, frames) -> None:
    report = workbook_import(path=workbook())
    for sheet in report.sheets:
        assert sheet.rows == len(frames[sheet.name])
        assert sheet.created == len(frames[sheet.name])
        assert MODELS[sheet.name].objects.count() == len(frames[sheet.name])
    assert report.total_rows == sum(len(frame) for frame in frames.values())


def test_reimport_is_a_no_op(workbook) -> None:
    path = workbook()
    workbook_import(path=path)
    before = snapshot()
    report = workbook_import(path=path)
    assert all(sheet.created == 0 and sheet.updated == 0 and sheet.unchanged == sheet.rows for sheet in report.sheets)
    assert snapshot() == before


def test_reimport_updates_only_the_rows_that_changed(workbook, frames) -> None:
    workbook_import(path=workbook())
    first_customer = frames["customers"].loc[0, "customer_id"]

    def change(sheets: dict[str, pd.DataFrame]) -> None:
        sheets["customers"].loc[0, "city"] = "Chennai-changed"
        sheets["orders"].loc[0, "order_status"] = "returned"

    report = {sheet.name: sheet for sheet in workbook_import(path=workbook(change, "changed.xlsx")).sheets}
    assert (report["customers"].updated, report["customers"].created) == (1, 0)
    assert report["customers"].unchanged == len(frames["customers"]) - 1
    assert report["orders"].updated == 1
    assert report["payments"].updated == 0
    assert Customer.objects.get(pk=first_customer).city == "Chennai-changed"


def test_the_openpyxl_reader_and_a_csv_folder_give_the_same_rows(workbook, tmp_path, frames) -> None:
    workbook_import(path=workbook(), engine="openpyxl")
    from_openpyxl = snapshot()
    Customer.objects.all().delete()
    folder = tmp_path / "csv"
    workbook_write(frames, folder)
    workbook_import(path=folder)
    assert snapshot() == from_openpyxl


def test_it_accepts_every_convention_of_the_contract(workbook, frames) -> None:
    customer = frames["customers"].loc[0]

    def hand_edited(sheets: dict[str, pd.DataFrame]) -> None:
        customers = sheets["customers"]
        customers.loc[0, "segment"] = f"  {customer['segment'].upper()} "
        customers.loc[0, "loyalty_tier"] = customer["loyalty_tier"].lower()
        customers.loc[0, "signup_date"] = dt.date.fromisoformat(customer["signup_date"])  # a native date cell
        customers.loc[0, "phone"] = 919831882064
        customers.loc[0, "opt_in_marketing"] = "FALSE"
        customers["loyalty_points"] = 1  # an extra column
        orders = sheets["orders"]
        orders.loc[0, "order_date"] = dt.datetime(2025, 1, 2, 3, 4, 5)  # a native date-time cell
        orders.loc[0, "payment_method"] = "UPI"
        tickets = sheets["support_tickets"]
        tickets.loc[0, "escalation"] = "y"
        tickets.loc[0, "status"] = " In_Progress"
        for name in REAL_WORKBOOK_EXTRA_SHEETS:
            sheets[name] = pd.DataFrame({"anything": [1, 2]})

    report = workbook_import(path=workbook(hand_edited))
    stored = Customer.objects.get(pk=customer["customer_id"])
    assert stored.segment == customer["segment"]
    assert stored.loyalty_tier == customer["loyalty_tier"]
    assert stored.signup_date == dt.date.fromisoformat(customer["signup_date"])
    assert stored.phone == "+919831882064"
    assert stored.opt_in_marketing is False
    order = Order.objects.get(pk=frames["orders"].loc[0, "order_id"])
    assert order.order_date == dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert order.payment_method == "upi"
    ticket = SupportTicket.objects.get(pk=frames["support_tickets"].loc[0, "ticket_id"])
    assert (ticket.escalation, ticket.status) == (True, "in_progress")
    assert sorted(report.ignored_sheets) == sorted(REAL_WORKBOOK_EXTRA_SHEETS)
    assert {sheet.name: sheet.extra_columns for sheet in report.sheets}["customers"] == ["loyalty_points"]
    assert "ignored sheets: " in "\n".join(report.lines())


def test_timestamps_with_a_zone_are_stored_in_utc(workbook, frames) -> None:
    def with_zone(sheets: dict[str, pd.DataFrame]) -> None:
        sheets["orders"].loc[0, "order_date"] = "2025-01-02T10:00:00+05:30"

    workbook_import(path=workbook(with_zone))
    order = Order.objects.get(pk=frames["orders"].loc[0, "order_id"])
    assert order.order_date == dt.datetime(2025, 1, 2, 4, 30, tzinfo=dt.UTC)


# --- bad input: each kind names its place and leaves the database as it was ------------


def _set(sheet: str, column: str, value: object, row: int = 0) -> Callable[[dict[str, pd.DataFrame]], None]:
    def change(sheets: dict[str, pd.DataFrame]) -> None:
        sheets[sheet].loc[row, column] = value

    return change


def _drop_sheet(sheet: str) -> Callable[[dict[str, pd.DataFrame]], None]:
    return lambda sheets: sheets.pop(sheet)


def _drop_column(sheet: str, column: str) -> Callable[[dict[str, pd.DataFrame]], None]:
    def change(sheets: dict[str, pd.DataFrame]) -> None:
        sheets[sheet] = sheets[sheet].drop(columns=[column])

    return change


def _duplicate_key(sheet: str) -> Callable[[dict[str, pd.DataFrame]], None]:
    def change(sheets: dict[str, pd.DataFrame]) -> None:
        key = next(s.key for s in SHEETS if s.name == sheet)
        sheets[sheet].loc[1, key] = sheets[sheet].loc[0, key]

    return change


def _empty_sheet(sheet: str) -> Callable[[dict[str, pd.DataFrame]], None]:
    def change(sheets: dict[str, pd.DataFrame]) -> None:
        sheets[sheet] = sheets[sheet].iloc[0:0]

    return change


BAD_INPUTS = {
    "missing sheet": (_drop_sheet("payments"), "sheet 'payments': the sheet is missing"),
    "missing column": (
        _drop_column("orders", "total_amount"),
        "sheet 'orders', row 1, column 'total_amount': required column is missing",
    ),
    "customers without rows": (
        _empty_sheet("customers"),
        "sheet 'customers', row 2: the sheet has a header but no rows",
    ),
    "text in a date": (
        _set("customers", "signup_date", "next tuesday"),
        "sheet 'customers', row 2, column 'signup_date': is not a date (expected YYYY-MM-DD or a date cell) (value: 'next tuesday')",
    ),
    "impossible date": (
        _set("orders", "estimated_delivery_date", "2025-02-30", row=2),
        "sheet 'orders', row 4, column 'estimated_delivery_date': is not a date",
    ),
    "text in a timestamp": (
        _set("customer_events", "event_time", "yesterday", row=5),
        "sheet 'customer_events', row 7, column 'event_time': is not a timestamp",
    ),
    "text in an amount": (
        _set("orders", "total_amount", "a lot"),
        "sheet 'orders', row 2, column 'total_amount': is not an amount (value: 'a lot')",
    ),
    "fraction in a whole number": (
        _set("orders", "items_count", 2.5),
        "sheet 'orders', row 2, column 'items_count': is not a whole number (value: 2.5)",
    ),
    "enum value unknown": (
        _set("customers", "segment", "Diamond", row=3),
        "sheet 'customers', row 5, column 'segment': is not one of VIP, Loyal, Regular, Occasional (value: 'Diamond')",
    ),
    "ticket status unknown": (
        _set("support_tickets", "status", "lost"),
        "sheet 'support_tickets', row 2, column 'status': is not one of open, in_progress, escalated, resolved, closed",
    ),
    "boolean unreadable": (
        _set("customers", "opt_in_marketing", "maybe"),
        "sheet 'customers', row 2, column 'opt_in_marketing': is not True or False",
    ),
    "escalation not Y/N": (
        _set("support_tickets", "escalation", "sometimes"),
        "sheet 'support_tickets', row 2, column 'escalation': is not Y or N",
    ),
    "nps out of range": (
        _set("nps_survey", "nps_score", 11),
        "sheet 'nps_survey', row 2, column 'nps_score': must be between 0 and 10 (value: 11)",
    ),
    "sentiment out of range": (
        _set("support_tickets", "sentiment_score", -1.5),
        "sheet 'support_tickets', row 2, column 'sentiment_score': must be between -1 and 1 (value: -1.5)",
    ),
    "negative amount": (
        _set("payments", "amount", -5),
        "sheet 'payments', row 2, column 'amount': must be at least 0 (value: -5)",
    ),
    "csat out of range": (
        _set("support_tickets", "csat_score", 0),
        "sheet 'support_tickets', row 2, column 'csat_score': must be between 1 and 5",
    ),
    "required value empty": (
        _set("customers", "email", None, row=1),
        "sheet 'customers', row 3, column 'email': a value is required",
    ),
    "duplicate id": (
        _duplicate_key("orders"),
        "sheet 'orders', row 3, column 'order_id': duplicate order_id: row 2 has it already",
    ),
    "duplicate email": (_set("customers", "email", "x@example.com", row=1), None),  # completed below
    "customer_id points nowhere": (
        _set("orders", "customer_id", "C999999"),
        "sheet 'orders', row 2, column 'customer_id': points nowhere: no such customer in this workbook or the database (value: 'C999999')",
    ),
    "order_id points nowhere": (
        _set("payments", "order_id", "O999999", row=1),
        "sheet 'payments', row 3, column 'order_id': points nowhere: no such order",
    ),
    "ticket order_id points nowhere": (
        _set("support_tickets", "order_id", "O999999"),
        "sheet 'support_tickets', row 2, column 'order_id': points nowhere",
    ),
    "phone unreadable": (
        _set("customers", "phone", "call me"),
        "sheet 'customers', row 2, column 'phone': is not a phone number",
    ),
}


def _duplicate_email(sheets: dict[str, pd.DataFrame]) -> None:
    sheets["customers"].loc[1, "email"] = sheets["customers"].loc[0, "email"]


BAD_INPUTS["duplicate email"] = (
    _duplicate_email,
    "sheet 'customers', row 3, column 'email': duplicate email: row 2 has it already",
)


@pytest.mark.parametrize("kind", BAD_INPUTS)
def test_bad_input_is_named_and_nothing_is_written(kind: str, workbook) -> None:
    workbook_import(path=workbook(name="good.xlsx"))
    before = snapshot()
    change, expected = BAD_INPUTS[kind]

    def change_and_touch_everything(sheets: dict[str, pd.DataFrame]) -> None:
        # Also alter valid rows: a half-written import would show up as changed data.
        sheets["customers"]["city"] = "Somewhere else"
        change(sheets)

    with pytest.raises(WorkbookInvalid) as raised:
        workbook_import(path=workbook(change_and_touch_everything, "bad.xlsx"))
    messages = [str(error) for error in raised.value.errors]
    assert any(message.startswith(expected) for message in messages), messages
    assert snapshot() == before


def test_other_sheets_may_be_empty(workbook, frames) -> None:
    def no_surveys(sheets: dict[str, pd.DataFrame]) -> None:
        sheets["nps_survey"] = sheets["nps_survey"].iloc[0:0]

    report = {sheet.name: sheet for sheet in workbook_import(path=workbook(no_surveys)).sheets}
    assert report["nps_survey"].rows == 0
    assert report["customers"].created == len(frames["customers"])
    assert NpsResponse.objects.count() == 0


def test_it_lists_every_error_up_to_a_cap(workbook, frames) -> None:
    def many(sheets: dict[str, pd.DataFrame]) -> None:
        sheets["customer_events"]["event_time"] = "not a time"

    with pytest.raises(WorkbookInvalid) as raised:
        workbook_import(path=workbook(many))
    events = len(frames["customer_events"])
    assert raised.value.total == events
    assert len(raised.value.errors) == min(events, MAX_LISTED_ERRORS)
    rows = [error.row for error in raised.value.errors]
    assert rows == list(range(2, 2 + len(rows)))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"this is not a spreadsheet", "not a readable .xlsx workbook"),
    ],
)
def test_an_unreadable_file_is_reported(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "upload.xlsx"
    path.write_bytes(content)
    with pytest.raises(WorkbookInvalid) as raised:
        workbook_import(path=path)
    assert message in str(raised.value.errors[0])
    assert Customer.objects.count() == 0


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(WorkbookInvalid, match="1 error") as raised:
        workbook_import(path=tmp_path / "absent.xlsx")
    assert "no such file" in str(raised.value.errors[0])


def test_an_email_taken_by_another_stored_customer_fails_cleanly(workbook, frames) -> None:
    workbook_import(path=workbook())
    before = snapshot()
    taken = frames["customers"].loc[1, "email"]

    def other_customer_same_email(sheets: dict[str, pd.DataFrame]) -> None:
        customers = sheets["customers"]
        customers.loc[0, "customer_id"] = "C999999"
        customers.loc[0, "email"] = taken
        sheets["customers"] = customers.drop(index=1)
        for name in ("orders", "payments", "support_tickets", "nps_survey", "churn_labels", "customer_events"):
            sheets[name] = sheets[name].iloc[0:0]

    with pytest.raises(WorkbookInvalid) as raised:
        workbook_import(path=workbook(other_customer_same_email, "taken.xlsx"))
    assert "nothing was written" in str(raised.value.errors[0])
    assert snapshot() == before


def test_references_may_point_to_rows_already_in_the_database(workbook, frames) -> None:
    workbook_import(path=workbook())
    customer_id = frames["customers"].loc[0, "customer_id"]

    def without_that_customer(sheets: dict[str, pd.DataFrame]) -> None:
        sheets["customers"] = sheets["customers"].iloc[1:]
        sheets["orders"].loc[3, "customer_id"] = customer_id  # not in this workbook, but stored

    workbook_import(path=workbook(without_that_customer, "partial.xlsx"))
    assert Order.objects.get(pk=frames["orders"].loc[3, "order_id"]).customer_id == customer_id


# --- dry run, shifting, warnings, the command ----------------------------------------------


def test_dry_run_reports_and_writes_nothing(workbook, frames) -> None:
    report = workbook_import(path=workbook(), dry_run=True)
    assert {sheet.name: sheet.created for sheet in report.sheets} == {
        name: len(frame) for name, frame in frames.items()
    }
    assert all(model.objects.count() == 0 for model in MODELS.values())
    assert "dry run: nothing was written" in report.lines()[-1]


def latest_activity_date() -> dt.date:
    return max(
        Order.objects.latest("order_date").order_date.date(),
        CustomerEvent.objects.latest("event_time").event_time.date(),
        Payment.objects.latest("payment_date").payment_date.date(),
        SupportTicket.objects.latest("created_at").created_at.date(),
        NpsResponse.objects.latest("date").date.date(),
        Customer.objects.latest("last_active_date").last_active_date,
    )


def test_shift_to_today_moves_the_latest_activity_to_today(workbook, frames) -> None:
    today = dt.date(2026, 11, 24)
    report = workbook_import(path=workbook(), shift_to_today=True, today=today)
    assert latest_activity_date() == today
    assert report.shifted_by_days == (today - AS_OF).days
    first = frames["customers"].loc[0]
    stored = Customer.objects.get(pk=first["customer_id"])
    assert stored.signup_date == dt.date.fromisoformat(first["signup_date"]) + dt.timedelta(days=report.shifted_by_days)
    # The same workbook shifted again on the same day changes nothing.
    again = workbook_import(path=workbook(name="again.xlsx"), shift_to_today=True, today=today)
    assert all(sheet.created == sheet.updated == 0 for sheet in again.sheets)


def test_shift_to_today_defaults_to_the_current_date(workbook) -> None:
    workbook_import(path=workbook(), shift_to_today=True)
    assert latest_activity_date() == timezone.now().date()


def test_payments_naming_another_customer_than_their_order_are_kept_and_reported(workbook, frames) -> None:
    other = frames["customers"].loc[5, "customer_id"]

    def mismatch(sheets: dict[str, pd.DataFrame]) -> None:
        sheets["payments"].loc[0, "customer_id"] = other

    report = workbook_import(path=workbook(mismatch))
    assert any(
        "payments: 1 rows name a customer other than their order's (row 2)" in warning for warning in report.warnings
    )
    assert Payment.objects.get(pk=frames["payments"].loc[0, "payment_id"]).customer_id == other


def test_the_command_prints_the_report(workbook, capsys) -> None:
    call_command("import_workbook", str(workbook()))
    output = capsys.readouterr().out
    assert "customers: 30 rows, 30 created, 0 updated, 0 unchanged" in output


def test_the_command_fails_with_the_errors_listed(workbook, capsys) -> None:
    with pytest.raises(CommandError, match="the workbook has 1 error; nothing was imported"):
        call_command("import_workbook", str(workbook(_set("orders", "customer_id", "C999999"))))
    assert "sheet 'orders', row 2, column 'customer_id'" in capsys.readouterr().err


def test_the_command_dry_run_writes_nothing(workbook, capsys) -> None:
    call_command("import_workbook", str(workbook()), "--dry-run")
    assert Customer.objects.count() == 0
    assert "Would import" in capsys.readouterr().out
