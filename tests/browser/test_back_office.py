"""The back office in a real browser: sign in, import a workbook, find a customer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from customers.models import Customer
from customers.workbook_files import workbook_write
from demo.dataset import dataset_generate

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password-42"


@pytest.fixture
def staff(django_user_model) -> str:
    django_user_model.objects.create_superuser(username="reviewer", email="", password=PASSWORD)
    return "reviewer"


@pytest.fixture
def frames() -> dict[str, pd.DataFrame]:
    return dataset_generate(customers=12, seed=11, as_of=dt.date(2025, 10, 9))


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(f"{live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_have_text("ProCX back office")
    expect(page).to_have_url(f"{live_server.url}/admin/")


def test_staff_import_a_workbook_and_open_a_customer(page: Page, live_server, staff, frames, tmp_path: Path) -> None:
    path = tmp_path / "shop.xlsx"
    workbook_write(frames, path)
    sign_in(page, live_server, staff)

    page.goto(f"{live_server.url}/admin/customers/customer/")
    page.get_by_role("link", name="Import workbook").click()
    page.get_by_label("Workbook").set_input_files(str(path))
    page.get_by_role("button", name="Import").click()

    report = page.locator("#import-report")
    expect(report).to_contain_text("Imported")
    expect(report.locator("#sheet-customers .created")).to_have_text("12")
    expect(report.locator("#sheet-orders .created")).to_have_text(str(len(frames["orders"])))
    assert Customer.objects.count() == 12

    customer = frames["customers"].iloc[0]
    page.get_by_role("link", name="See the customers").click()
    page.get_by_role("textbox").first.fill(customer["email"])
    page.keyboard.press("Enter")
    page.get_by_role("link", name=customer["customer_id"]).first.click()
    expect(page.get_by_label("Email")).to_have_value(customer["email"])
    order_id = frames["orders"].loc[frames["orders"]["customer_id"] == customer["customer_id"], "order_id"].iloc[0]
    expect(page.locator("body")).to_contain_text(order_id)


def test_a_bad_workbook_shows_every_error_and_imports_nothing(page: Page, live_server, staff, frames, tmp_path) -> None:
    broken = {name: frame.copy().astype(object) for name, frame in frames.items()}
    broken["orders"].loc[0, "customer_id"] = "C999999"
    broken["customers"].loc[2, "segment"] = "Diamond"
    path = tmp_path / "broken.xlsx"
    workbook_write(broken, path)
    sign_in(page, live_server, staff)

    page.goto(f"{live_server.url}/admin/customers/customer/import/")
    page.get_by_label("Workbook").set_input_files(str(path))
    page.get_by_role("button", name="Import").click()

    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("the workbook has 2 errors; nothing was imported")
    expect(errors).to_contain_text("sheet 'orders', row 2, column 'customer_id'")
    expect(errors).to_contain_text("sheet 'customers', row 4, column 'segment'")
    assert Customer.objects.count() == 0


def test_staff_read_a_drafted_intervention_with_its_reasons_and_trace(
    page: Page, live_server, staff, frames, tmp_path
) -> None:
    from customers.services import workbook_import
    from interventions.agents.types import Trigger
    from interventions.services.drafting import intervention_draft

    path = tmp_path / "shop.xlsx"
    workbook_write(frames, path)
    workbook_import(path=path)
    customer = Customer.objects.order_by("pk").first()
    trigger = Trigger(kind="demo", description="Order delayed", category="ORDER_DELAYED", customer_text="Where is it?")
    intervention = intervention_draft(customer_id=customer.pk, origin="demo", trigger=trigger, model=None).intervention
    sign_in(page, live_server, staff)

    page.goto(f"{live_server.url}/admin/interventions/intervention/")
    expect(page.locator(".messagelist")).to_contain_text("Drafts are written by the offline backend")
    page.get_by_role("link", name=str(customer)).first.click()
    body = page.locator("body")
    expect(body).to_contain_text(intervention.body.splitlines()[0])
    expect(body).to_contain_text(f"{intervention.empathy_score}/100")
    expect(body).to_contain_text("Concrete next step with a time")
    for stage in ("context", "pattern", "decision", "empathy"):
        expect(page.locator(".field-stage", has_text=stage).first).to_be_visible()
    page.screenshot(path=str(tmp_path / "intervention.png"), full_page=True)
