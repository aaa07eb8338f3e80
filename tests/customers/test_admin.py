"""The back office: every admin page opens for staff and only for staff, customer search and
filters, the customer page's recent activity, and the workbook upload."""

from __future__ import annotations

import datetime as dt
import html
import io
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group, Permission, User
from django.db.models import Model
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_q.models import Failure, OrmQ, Schedule, Success

from customers.admin import LatestRowsFormSet
from customers.models import (
    ChurnLabel,
    ChurnModel,
    Customer,
    CustomerEvent,
    NpsResponse,
    Order,
    Payment,
    ScanFinding,
    SupportTicket,
)
from customers.workbook_files import workbook_write
from events.models import ProviderCustomer, WebhookDelivery
from tests.factories import (
    NOW,
    contract_frames,
    make_churn_label,
    make_customer,
    make_event,
    make_nps_response,
    make_order,
    make_payment,
    make_ticket,
)

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/customers/customer/import/"
SHEET_MODELS = (Customer, Order, Payment, SupportTicket, NpsResponse, ChurnLabel, CustomerEvent)


def page(response: Any) -> str:
    """The response's HTML with entities decoded, so quotes in messages compare plainly."""
    return html.unescape(response.content.decode())


def change_url(obj: Model) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])


def changelist_url(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def staff_user(username: str, *permissions: str) -> User:
    user = User.objects.create_user(username=username, password="x", is_staff=True)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance


# --- every registered admin ---------------------------------------------------------------


def _a_customer_with_everything() -> Customer:
    customer = make_customer()
    order = make_order(customer)
    make_payment(order)
    make_ticket(customer, order=order)
    make_nps_response(customer)
    make_churn_label(customer)
    make_event(customer, metadata={"plan": "gold"}, raw_payload={"id": "evt_1"})
    return customer


# One saved row per registered model, for its change page. A model registered later needs
# an entry here: the walk below fails and names it rather than skip its change page.
SAMPLES: dict[str, Callable[[], Model]] = {
    "auth.user": lambda: User.objects.create_user(username="someone"),
    "auth.group": lambda: Group.objects.create(name="support"),
    "django_q.schedule": lambda: Schedule.objects.create(name="nightly", func="math.floor", args="1"),
    "django_q.success": lambda: Success.objects.create(
        id="a" * 32, name="done", func="math.floor", started=NOW, stopped=NOW, success=True
    ),
    "django_q.failure": lambda: Failure.objects.create(
        id="b" * 32, name="failed", func="math.floor", started=NOW, stopped=NOW, success=False, result="boom"
    ),
    "django_q.ormq": lambda: OrmQ.objects.create(key="procx", payload="not-a-signed-package"),
    "customers.customer": lambda: Customer.objects.first(),
    "customers.order": lambda: Order.objects.first(),
    "customers.payment": lambda: Payment.objects.first(),
    "customers.supportticket": lambda: SupportTicket.objects.first(),
    "customers.npsresponse": lambda: NpsResponse.objects.first(),
    "customers.churnlabel": lambda: ChurnLabel.objects.first(),
    "customers.customerevent": lambda: CustomerEvent.objects.first(),
    "customers.scanrun": lambda: _scan().scan,
    "customers.scanfinding": lambda: _scan(),
    "customers.healthscore": lambda: _scan().scan.scores.first(),
    "customers.churnmodel": lambda: ChurnModel.objects.create(
        as_of=NOW, metrics={"roc_auc": 0.51}, baseline_metrics={"roc_auc": 0.5}, reason="no usable signal"
    ),
    "interventions.intervention": lambda: _intervention(),
    "events.webhookdelivery": lambda: WebhookDelivery.objects.create(
        source="stripe",
        received_at=NOW,
        body='{"id": "evt_1"}',
        outcome="inbox",
        status_code=202,
        error="no customer matches email 'x@example.com'",
    ),
    "events.providercustomer": lambda: ProviderCustomer.objects.create(
        source="stripe", provider_customer_id="cus_1", customer=Customer.objects.first()
    ),
}


def _scan() -> ScanFinding:
    """A scan of the sample customer that selects them (every threshold at zero)."""
    from customers.scan import scan_run

    scan_run(as_of=NOW, min_risk=0, min_ltv=0)
    return ScanFinding.objects.first()


def _intervention() -> Model:
    """An offline draft for the sample customer, with its four-stage trace."""
    from interventions.agents.types import Trigger
    from interventions.services.drafting import intervention_draft

    trigger = Trigger(kind="scan", description="sample finding")
    customer = Customer.objects.first()
    return intervention_draft(
        customer_id=customer.pk, origin="scan", trigger=trigger, as_of=NOW, model=None
    ).intervention


REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower)


def _admin_urls(model: type[Model], model_admin: admin.ModelAdmin, superuser: User) -> list[str]:
    _a_customer_with_everything()
    label = model._meta.label_lower
    sample = model._default_manager.first()
    if sample is None:
        if label not in SAMPLES:
            pytest.fail(f"no sample row for {label}: add one to SAMPLES so its change page is tested")
        sample = SAMPLES[label]()
    request = RequestFactory().get("/")
    request.user = superuser
    urls = [changelist_url(model), change_url(sample)]
    if model_admin.has_add_permission(request):
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
    return urls


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=[m._meta.label for m, _ in REGISTERED])
def test_every_admin_list_add_and_change_page_opens_for_a_superuser(model, model_admin, admin_client, admin_user):
    for url in _admin_urls(model, model_admin, admin_user):
        response = admin_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=[m._meta.label for m, _ in REGISTERED])
def test_every_admin_page_sends_an_anonymous_visitor_to_the_login(model, model_admin, client, admin_user):
    for url in [*_admin_urls(model, model_admin, admin_user), IMPORT_URL]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login") + "?next="), url


def test_the_walk_covers_every_sheet_and_the_site_is_named(admin_client):
    registered = {model for model, _ in REGISTERED}
    assert set(SHEET_MODELS) <= registered
    assert "ProCX back office" in page(admin_client.get(reverse("admin:index")))


# --- customer list: search and filters ------------------------------------------------------


@pytest.fixture
def two_customers() -> tuple[Customer, Customer]:
    asha = make_customer(
        first_name="Asha",
        last_name="Raman",
        email="asha.raman@example.com",
        segment="VIP",
        loyalty_tier="Platinum",
        language="ta",
        country="India",
        opt_in_marketing=True,
    )
    bill = make_customer(
        first_name="Bill",
        last_name="Okafor",
        email="bill.okafor@example.org",
        segment="Occasional",
        loyalty_tier="Bronze",
        language="en",
        country="UK",
        opt_in_marketing=False,
    )
    return asha, bill


def listed(response: Any, *objects: Model) -> list[bool]:
    content = response.content.decode()
    return [change_url(obj) in content for obj in objects]


@pytest.mark.parametrize(
    "query",
    ["{asha_id}", "{asha_id_lower}", "Raman", "asha", "asha raman", "asha.raman@example", "@example.com"],
)
def test_the_customer_list_finds_a_customer_by_id_name_or_email(admin_client, two_customers, query):
    asha, bill = two_customers
    term = query.format(asha_id=asha.customer_id, asha_id_lower=asha.customer_id.lower())
    response = admin_client.get(changelist_url(Customer), {"q": term})
    assert response.status_code == 200
    assert listed(response, asha, bill) == [True, False]


def test_a_search_that_matches_nobody_lists_nobody(admin_client, two_customers):
    response = admin_client.get(changelist_url(Customer), {"q": "nobody-at-all"})
    assert listed(response, *two_customers) == [False, False]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"segment__exact": "VIP"}, [True, False]),
        ({"segment__exact": "Occasional"}, [False, True]),
        ({"loyalty_tier__exact": "Bronze"}, [False, True]),
        ({"language": "ta"}, [True, False]),
        ({"country": "UK"}, [False, True]),
        ({"opt_in_marketing__exact": "0"}, [False, True]),
        ({"last_active_date__gte": "2025-09-30", "last_active_date__lt": "2025-10-01"}, [True, True]),
        ({"last_active_date__gte": "2025-10-01"}, [False, False]),
    ],
)
def test_the_customer_list_filters(admin_client, two_customers, params, expected):
    response = admin_client.get(changelist_url(Customer), params)
    assert response.status_code == 200
    assert listed(response, *two_customers) == expected


def test_the_customer_list_filters_by_churn_label(admin_client, two_customers):
    asha, bill = two_customers
    make_churn_label(bill, is_churn=True, churn_date=dt.date(2025, 9, 1), churn_reason="price")
    response = admin_client.get(changelist_url(Customer), {"churn_label__is_churn__exact": "1"})
    assert listed(response, asha, bill) == [False, True]


def test_the_customer_list_shows_the_useful_columns(admin_client, two_customers):
    content = page(admin_client.get(changelist_url(Customer)))
    for heading in ("Customer id", "Name", "Email", "Segment", "Loyalty tier", "Lifetime value", "Last active date"):
        assert heading in content
    assert "Asha Raman" in content
    assert "asha.raman@example.com" in content


# --- the other sheets' lists -----------------------------------------------------------------


@pytest.fixture
def activity(two_customers) -> dict[str, Any]:
    asha, bill = two_customers
    asha_order = make_order(asha, order_status="cancelled")
    bill_order = make_order(bill, order_status="delivered")
    return {
        "customers": (asha, bill),
        "orders": (asha_order, bill_order),
        "payments": (make_payment(asha_order, status="failed"), make_payment(bill_order)),
        "tickets": (make_ticket(asha, priority="urgent"), make_ticket(bill, priority="low")),
        "nps": (make_nps_response(asha, nps_score=2), make_nps_response(bill, nps_score=10)),
        "labels": (make_churn_label(asha, is_churn=True), make_churn_label(bill)),
    }


@pytest.mark.parametrize("rows", ["orders", "payments", "tickets", "nps", "labels"])
@pytest.mark.parametrize("query", ["{customer_id}", "Raman", "asha.raman@example.com"])
def test_each_sheet_is_searchable_by_the_customer(admin_client, activity, rows, query):
    asha_row, bill_row = activity[rows]
    term = query.format(customer_id=activity["customers"][0].customer_id)
    response = admin_client.get(changelist_url(type(asha_row)), {"q": term})
    assert response.status_code == 200
    assert listed(response, asha_row, bill_row) == [True, False]


@pytest.mark.parametrize("rows", ["orders", "payments", "tickets", "nps"])
def test_each_sheet_is_searchable_by_its_own_id(admin_client, activity, rows):
    asha_row, bill_row = activity[rows]
    response = admin_client.get(changelist_url(type(bill_row)), {"q": bill_row.pk})
    assert listed(response, asha_row, bill_row) == [False, True]


@pytest.mark.parametrize(
    ("rows", "params"),
    [
        ("orders", {"order_status__exact": "cancelled"}),
        ("payments", {"status__exact": "failed"}),
        ("tickets", {"priority__exact": "urgent"}),
        ("nps", {"nps_category": "detractor"}),
        ("labels", {"is_churn__exact": "1"}),
    ],
)
def test_each_sheet_filters(admin_client, activity, rows, params):
    asha_row, bill_row = activity[rows]
    response = admin_client.get(changelist_url(type(asha_row)), params)
    assert response.status_code == 200
    assert listed(response, asha_row, bill_row) == [True, False]


def test_the_order_list_filters_by_date(admin_client, activity):
    old, recent = activity["orders"]
    Order.objects.filter(pk=old.pk).update(order_date=NOW - dt.timedelta(days=400))
    Order.objects.filter(pk=recent.pk).update(order_date=timezone.now() - dt.timedelta(days=1))
    midnight = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    # What the "Past 7 days" choice of the date filter links to.
    params = {
        "order_date__gte": str(midnight - dt.timedelta(days=7)),
        "order_date__lt": str(midnight + dt.timedelta(days=1)),
    }
    assert listed(admin_client.get(changelist_url(Order), params), old, recent) == [False, True]


def test_foreign_keys_are_raw_id_inputs_not_a_select_of_every_customer(admin_client, activity):
    content = admin_client.get(reverse("admin:customers_order_add")).content.decode()
    assert 'name="customer"' in content
    assert "vForeignKeyRawIdAdminField" in content
    assert '<select name="customer"' not in content
    for model_admin in (admin.site._registry[model] for model in SHEET_MODELS[1:]):
        assert "customer" in model_admin.raw_id_fields
        assert model_admin.show_full_result_count is False


def test_a_primary_key_is_read_only_once_the_row_exists(admin_client, activity):
    order = activity["orders"][0]
    form = admin_client.get(change_url(order)).context["adminform"].form
    assert "order_id" not in form.fields
    assert "order_id" in admin_client.get(reverse("admin:customers_order_add")).context["adminform"].form.fields


# --- the customer page -------------------------------------------------------------------------


def test_the_customer_page_lists_that_customers_activity(admin_client, activity):
    asha, bill = activity["customers"]
    make_event(asha, event_id="E9000001", event_type="add_to_cart")
    make_event(bill, event_id="E9000002")
    content = page(admin_client.get(change_url(asha)))
    for rows in ("orders", "payments", "tickets", "nps"):
        asha_row, bill_row = activity[rows]
        assert asha_row.pk in content
        assert bill_row.pk not in content
    assert "E9000001" in content
    assert "E9000002" not in content
    assert "add_to_cart" in content
    assert "Churn label" in content


def test_the_customer_page_shows_the_latest_rows_newest_first_and_links_to_all(admin_client):
    customer = make_customer()
    total = LatestRowsFormSet.limit + 5
    orders = [make_order(customer, order_date=NOW - dt.timedelta(days=day)) for day in range(total)]
    response = admin_client.get(change_url(customer))
    content = page(response)
    shown = [order.pk for order in orders[: LatestRowsFormSet.limit]]
    hidden = [order.pk for order in orders[LatestRowsFormSet.limit :]]
    assert all(pk in content for pk in shown)
    assert not any(pk in content for pk in hidden)
    positions = [content.index(pk) for pk in shown]
    assert positions == sorted(positions)
    assert f"The latest {LatestRowsFormSet.limit} of {total}" in content

    link = f"{changelist_url(Order)}?customer__customer_id__exact={customer.customer_id}"
    assert link in content
    every_order = admin_client.get(link)
    assert every_order.status_code == 200
    assert all(listed(every_order, *orders[:10]))
    assert every_order.context["cl"].result_count == total


def test_the_customer_page_with_no_activity_says_so(admin_client):
    customer = make_customer()
    content = page(admin_client.get(change_url(customer)))
    assert "None yet." in content


def _posted_form(response: Any) -> dict[str, Any]:
    """The change form's data as the browser would post it back unchanged."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = value
    return data


def test_saving_a_customer_with_its_read_only_activity_works(admin_client, activity):
    asha = activity["customers"][0]
    more_than_shown = LatestRowsFormSet.limit + 3
    for hours in range(more_than_shown):
        make_event(asha, event_time=NOW - dt.timedelta(hours=hours))
    url = change_url(asha)
    data = _posted_form(admin_client.get(url))
    assert data["orders-TOTAL_FORMS"] == 1
    assert data["events-TOTAL_FORMS"] == LatestRowsFormSet.limit
    data["city"] = "Madurai"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Customer.objects.get(pk=asha.pk).city == "Madurai"
    assert Order.objects.filter(customer=asha).count() == 1
    assert CustomerEvent.objects.filter(customer=asha).count() == more_than_shown


# --- the workbook upload ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def upload_temporary_folder(tmp_path, monkeypatch) -> Path:
    """Uploads unpack into a folder this test can inspect (and find empty afterwards)."""
    folder = tmp_path / "temporary"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def xlsx_upload(tmp_path: Path, frames: dict[str, pd.DataFrame], name: str = "workbook.xlsx") -> io.BytesIO:
    path = tmp_path / name
    workbook_write(frames, path)
    upload = io.BytesIO(path.read_bytes())
    upload.name = name
    return upload


def zip_upload(members: dict[str, bytes], name: str = "sheets.zip") -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    buffer.seek(0)
    buffer.name = name
    return buffer


def csv_members(frames: dict[str, pd.DataFrame], folder: str = "") -> dict[str, bytes]:
    return {f"{folder}{name}.csv": frame.to_csv(index=False).encode() for name, frame in frames.items()}


def counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in SHEET_MODELS}


NOTHING = {model._meta.label: 0 for model in SHEET_MODELS}


def test_the_customer_list_offers_the_upload_to_whoever_may_import(admin_client, client):
    assert IMPORT_URL in admin_client.get(changelist_url(Customer)).content.decode()
    client.force_login(staff_user("viewer", "customers.view_customer"))
    response = client.get(changelist_url(Customer))
    assert response.status_code == 200
    assert IMPORT_URL not in response.content.decode()


def test_the_upload_page_opens_with_its_form(admin_client):
    response = admin_client.get(IMPORT_URL)
    assert response.status_code == 200
    content = page(response)
    assert 'enctype="multipart/form-data"' in content
    assert "Dry run (validate only)" in content
    assert "Shift dates so the latest activity is today" in content
    assert 'accept=".xlsx,.zip"' in content


@pytest.mark.parametrize(
    "permissions",
    [(), ("customers.view_customer",), ("customers.add_customer",), ("customers.change_customer",)],
)
def test_staff_without_both_import_permissions_get_403(client, tmp_path, permissions):
    client.force_login(staff_user("clerk", *permissions))
    assert client.get(IMPORT_URL).status_code == 403
    response = client.post(IMPORT_URL, {"workbook": xlsx_upload(tmp_path, contract_frames())})
    assert response.status_code == 403
    assert counts() == NOTHING


def test_staff_with_add_and_change_permissions_may_import(client, tmp_path):
    client.force_login(staff_user("importer", "customers.add_customer", "customers.change_customer"))
    response = client.post(IMPORT_URL, {"workbook": xlsx_upload(tmp_path, contract_frames(1))})
    assert response.status_code == 200
    assert Customer.objects.count() == 1


def _report_row(content: str, sheet: str) -> str:
    return content.split(f'<tr id="sheet-{sheet}">', 1)[1].split("</tr>", 1)[0]


def test_uploading_a_valid_workbook_imports_it_and_shows_per_sheet_counts(
    admin_client, tmp_path, upload_temporary_folder
):
    frames = contract_frames(3)
    frames["customers"]["favourite_colour"] = "blue"
    frames["products"] = pd.DataFrame({"product_id": ["P1"]})
    response = admin_client.post(IMPORT_URL, {"workbook": xlsx_upload(tmp_path, frames, "april.xlsx")})
    assert response.status_code == 200
    content = page(response)
    assert "Imported 21 rows from april.xlsx" in content
    for sheet in (
        "customers",
        "orders",
        "payments",
        "support_tickets",
        "nps_survey",
        "churn_labels",
        "customer_events",
    ):
        row = _report_row(content, sheet)
        assert '<td class="rows">3</td>' in row
        assert '<td class="created">3</td>' in row
        assert '<td class="updated">0</td>' in row
    assert "favourite_colour" in _report_row(content, "customers")
    assert "Ignored sheets: products" in content
    assert counts() == {label: 3 for label in NOTHING}
    assert Customer.objects.get(pk="C100000").phone == "+919831882064"
    assert list(upload_temporary_folder.iterdir()) == []

    frames["customers"].loc[0, "city"] = "Pune"
    again = page(admin_client.post(IMPORT_URL, {"workbook": xlsx_upload(tmp_path, frames, "may.xlsx")}))
    customers_row = _report_row(again, "customers")
    assert '<td class="created">0</td>' in customers_row
    assert '<td class="updated">1</td>' in customers_row
    assert '<td class="unchanged">2</td>' in customers_row


def test_a_dry_run_reports_and_writes_nothing(admin_client, tmp_path):
    response = admin_client.post(IMPORT_URL, {"workbook": xlsx_upload(tmp_path, contract_frames(2)), "dry_run": "on"})
    content = page(response)
    assert response.status_code == 200
    assert "Dry run: workbook.xlsx would import 14 rows" in content
    assert '<td class="created">2</td>' in _report_row(content, "customers")
    assert "nothing was written" in content
    assert counts() == NOTHING


def test_shifting_dates_moves_the_latest_activity_to_today(admin_client, tmp_path):
    response = admin_client.post(
        IMPORT_URL, {"workbook": xlsx_upload(tmp_path, contract_frames(1)), "shift_to_today": "on"}
    )
    assert "so the latest activity is today" in page(response)
    assert Customer.objects.get().last_active_date == timezone.now().date()


def test_a_workbook_with_errors_shows_them_and_writes_nothing(admin_client, tmp_path, upload_temporary_folder):
    frames = contract_frames(2)
    frames["customers"].loc[1, "segment"] = "Gold-ish"
    frames["orders"].loc[0, "customer_id"] = "C999999"
    del frames["nps_survey"]
    response = admin_client.post(IMPORT_URL, {"workbook": xlsx_upload(tmp_path, frames)})
    assert response.status_code == 200
    content = page(response)
    invalid = response.context["invalid"]
    assert invalid.total == len(invalid.errors) == 3
    assert "the workbook has 3 errors; nothing was imported" in content
    assert "sheet 'customers', row 3, column 'segment'" in content
    assert "'Gold-ish'" in content
    assert "sheet 'orders', row 2, column 'customer_id'" in content
    assert "sheet 'nps_survey': the sheet is missing from the workbook" in content
    assert 'id="import_workbook_form"' in content  # the form again, to try once more
    assert counts() == NOTHING
    assert list(upload_temporary_folder.iterdir()) == []


def test_more_errors_than_are_listed_are_counted(admin_client, tmp_path):
    frames = contract_frames(3)
    frames["customers"] = pd.concat([frames["customers"]] * 100, ignore_index=True)
    frames["customers"]["customer_id"] = [f"C{200_000 + number}" for number in range(300)]
    frames["customers"]["segment"] = "nonsense"
    response = admin_client.post(IMPORT_URL, {"workbook": xlsx_upload(tmp_path, frames)})
    invalid = response.context["invalid"]
    assert invalid.total > len(invalid.errors)
    assert f"{invalid.total:,} errors in all" in page(response)
    assert counts() == NOTHING


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"just some notes", "notes.txt is not a workbook: upload an .xlsx file or a .zip"),
        ("customers.csv", b"customer_id\nC1\n", "customers.csv is not a workbook"),
        ("fake.xlsx", b"this is not a spreadsheet", "fake.xlsx is not an Excel .xlsx workbook"),
        ("fake.zip", b"PK not really", "fake.zip is not a zip archive"),
        ("empty.xlsx", b"", "The submitted file is empty."),
    ],
)
def test_a_file_that_is_not_a_workbook_gets_a_clear_error(admin_client, name, content, message):
    upload = io.BytesIO(content)
    upload.name = name
    response = admin_client.post(IMPORT_URL, {"workbook": upload})
    assert response.status_code == 200
    assert message in page(response)
    assert response.context["report"] is None
    assert counts() == NOTHING


def test_a_zip_renamed_to_xlsx_is_reported_not_a_500(admin_client):
    upload = zip_upload({"readme.txt": b"hello"}, name="renamed.xlsx")
    response = admin_client.post(IMPORT_URL, {"workbook": upload})
    assert response.status_code == 200
    assert "renamed.xlsx: not a readable .xlsx workbook" in page(response)
    assert counts() == NOTHING


def test_submitting_without_a_file_asks_for_one(admin_client):
    response = admin_client.post(IMPORT_URL, {"dry_run": "on"})
    assert response.status_code == 200
    assert "This field is required." in page(response)


def test_a_zip_of_csv_files_imports_like_a_workbook(admin_client, upload_temporary_folder):
    members = csv_members(contract_frames(2), folder="export/")
    members["export/README.txt"] = b"made by hand"
    members["__MACOSX/export/._customers.csv"] = b"resource fork"
    members["export/extra_sheet.csv"] = b"a,b\n1,2\n"
    response = admin_client.post(IMPORT_URL, {"workbook": zip_upload(members)})
    content = page(response)
    assert response.status_code == 200
    assert "Imported 14 rows from sheets.zip" in content
    assert '<td class="created">2</td>' in _report_row(content, "customer_events")
    assert "Ignored sheets: extra_sheet" in content
    assert "Ignored files in the zip: export/README.txt" in content
    assert counts() == {label: 2 for label in NOTHING}
    assert list(upload_temporary_folder.iterdir()) == []


def test_a_zip_with_csv_errors_names_the_sheet_row_and_column(admin_client):
    frames = contract_frames(2)
    frames["nps_survey"].loc[1, "nps_score"] = 11
    response = admin_client.post(IMPORT_URL, {"workbook": zip_upload(csv_members(frames))})
    assert "sheet 'nps_survey', row 3, column 'nps_score'" in page(response)
    assert counts() == NOTHING


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("../customers.csv", "points outside the archive"),
        ("sheets/../../orders.csv", "points outside the archive"),
        ("/etc/customers.csv", "points outside the archive"),
        ("C:/temp/customers.csv", "points outside the archive"),
        ("..\\customers.csv", "points outside the archive"),
    ],
)
def test_a_zip_member_with_an_unsafe_path_is_refused(admin_client, tmp_path, member, message):
    members = csv_members(contract_frames(1))
    members[member] = b"customer_id\n"
    response = admin_client.post(IMPORT_URL, {"workbook": zip_upload(members)})
    assert response.status_code == 200
    assert message in page(response)
    assert counts() == NOTHING
    assert not (tmp_path.parent / "customers.csv").exists()


def test_a_zip_without_csv_files_or_with_a_sheet_twice_is_refused(admin_client):
    response = admin_client.post(IMPORT_URL, {"workbook": zip_upload({"notes.txt": b"x"})})
    assert "sheets.zip holds no .csv files" in page(response)
    members = csv_members(contract_frames(1))
    members["copy/Customers.csv"] = members["customers.csv"]
    response = admin_client.post(IMPORT_URL, {"workbook": zip_upload(members)})
    assert "are both the sheet 'customers'" in page(response)
    assert counts() == NOTHING


def test_a_zip_that_would_unpack_too_large_is_refused(admin_client, monkeypatch):
    monkeypatch.setattr("customers.forms.MAX_UNZIPPED_BYTES", 100)
    response = admin_client.post(IMPORT_URL, {"workbook": zip_upload(csv_members(contract_frames(1)))})
    assert "the limit is" in page(response)
    assert counts() == NOTHING
