"""export_workbook writes the contract's layout; importing an export reproduces the same rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from customers.models import Customer, CustomerEvent
from customers.services import workbook_import
from customers.workbook import SHEETS
from customers.workbook_files import workbook_read_sheets, workbook_write
from demo.dataset import dataset_generate
from tests.customers.helpers import MODELS, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    path = tmp_path / "source.xlsx"
    workbook_write(dataset_generate(customers=25, seed=3, as_of=dt.date(2025, 10, 9)), path)
    workbook_import(path=path)
    return path


@pytest.mark.parametrize("name", ["export.xlsx", "export_folder"])
def test_export_then_import_into_an_empty_database_reproduces_the_rows(imported, tmp_path, name) -> None:
    before = snapshot()
    call_command("export_workbook", str(tmp_path / name))
    for model in MODELS.values():
        model.objects.all().delete()
    assert Customer.objects.count() == 0
    report = workbook_import(path=tmp_path / name)
    assert all(sheet.created == sheet.rows for sheet in report.sheets)
    assert snapshot() == before


def test_the_export_has_the_contract_layout_and_conventions(imported, tmp_path) -> None:
    path = tmp_path / "export.xlsx"
    call_command("export_workbook", str(path))
    sheets = {raw.name: raw for raw in workbook_read_sheets(path, [sheet.name for sheet in SHEETS])}
    for sheet in SHEETS:
        assert sheets[sheet.name].header == list(sheet.column_names)
        assert len(sheets[sheet.name].rows) == MODELS[sheet.name].objects.count()
    customers = sheets["customers"]
    first = dict(zip(customers.header, customers.rows[0], strict=True))
    assert isinstance(first["phone"], float | int)  # an integer, as in the reference workbook
    assert isinstance(first["signup_date"], str)
    assert len(first["signup_date"]) == 10
    tickets = sheets["support_tickets"]
    assert {dict(zip(tickets.header, row, strict=True))["escalation"] for row in tickets.rows} <= {"Y", "N"}
    labels = sheets["churn_labels"]
    assert {dict(zip(labels.header, row, strict=True))["is_churn"] for row in labels.rows} <= {0, 1}
    events = sheets["customer_events"]
    assert "T" in dict(zip(events.header, events.rows[0], strict=True))["event_time"]


def test_webhook_only_columns_survive_a_reimport(imported) -> None:
    event = CustomerEvent.objects.first()
    event.description = "Payment of $20.00 failed"
    event.metadata = {"attempt": 2}
    event.save()
    workbook_import(path=imported)
    event.refresh_from_db()
    assert (event.description, event.metadata) == ("Payment of $20.00 failed", {"attempt": 2})


def test_the_command_rejects_an_unknown_format(tmp_path) -> None:
    with pytest.raises(CommandError, match=r"give a \.xlsx file or a folder"):
        call_command("export_workbook", str(tmp_path / "out.ods"))


def test_the_command_reports_a_path_it_cannot_write(imported, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(CommandError, match="cannot write"):
        call_command("export_workbook", str(blocker / "out.xlsx"))
