"""The synthetic workbook: the contract's layout and rules, determinism, and a drift signal to find."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from customers import models as customer_models
from customers.workbook import SHEETS
from customers.workbook_files import workbook_read_sheets, workbook_sheet_names
from demo.dataset import dataset_generate, dataset_sizes

AS_OF = dt.date(2025, 10, 9)
END_OF_AS_OF = "2025-10-09T23:59:59"
REFERENCE_SIZES = {
    "customers": 1_000,
    "orders": 5_000,
    "payments": 4_750,
    "support_tickets": 2_000,
    "nps_survey": 800,
    "churn_labels": 1_000,
    "customer_events": 10_000,
}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ID_PATTERNS = {
    ("customers", "customer_id"): r"C1\d{5}",
    ("orders", "order_id"): r"O\d{6}",
    ("payments", "payment_id"): r"PM\d{6}",
    ("support_tickets", "ticket_id"): r"T7\d{5}",
    ("support_tickets", "assigned_agent_id"): r"AG\d{3}",
    ("nps_survey", "survey_id"): r"NPS1\d{6}",
    ("customer_events", "event_id"): r"E1\d{6}",
    ("customer_events", "session_id"): r"S\d+",
    ("customer_events", "product_id"): r"P2\d{5}",
}
UNRESOLVED = {str(status) for status in customer_models.UNRESOLVED_TICKET_STATUSES}


@pytest.fixture(scope="module")
def workbook() -> dict[str, pd.DataFrame]:
    return dataset_generate(customers=1000, seed=42, as_of=AS_OF)


@pytest.fixture(scope="module")
def churned(workbook) -> pd.Series:
    """is_churn (bool) by customer_id."""
    return workbook["churn_labels"].set_index("customer_id").is_churn.astype(bool)


def _by_label(values: pd.Series, churned: pd.Series) -> pd.Series:
    """The mean of a per-customer series for retained (False) and churned (True) customers."""
    return values.reindex(churned.index, fill_value=0).groupby(churned).mean()


def _present(series: pd.Series) -> pd.Series:
    return series[series.notna()]


# --- sizes, layout, determinism --------------------------------------------------------------


def test_a_thousand_customers_give_the_reference_workbooks_row_counts(workbook) -> None:
    assert {name: len(frame) for name, frame in workbook.items()} == REFERENCE_SIZES
    assert dataset_sizes(1000) == REFERENCE_SIZES


@pytest.mark.parametrize("customers", [1, 7, 200])
def test_other_sizes_scale_in_proportion(customers) -> None:
    frames = dataset_generate(customers=customers, seed=5, as_of=AS_OF)
    expected = {name: round(customers * size / 1000) for name, size in REFERENCE_SIZES.items()}
    assert {name: len(frame) for name, frame in frames.items()} == expected


def test_it_refuses_fewer_than_one_customer() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        dataset_generate(customers=0, seed=1, as_of=AS_OF)


def test_every_sheet_has_the_contract_columns_in_contract_order(workbook) -> None:
    assert list(workbook) == [sheet.name for sheet in SHEETS]
    for sheet in SHEETS:
        assert tuple(workbook[sheet.name].columns) == sheet.column_names


def test_the_same_seed_and_date_give_identical_frames() -> None:
    first = dataset_generate(customers=200, seed=11, as_of=AS_OF)
    second = dataset_generate(customers=200, seed=11, as_of=AS_OF)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])


def test_another_seed_gives_another_workbook() -> None:
    first = dataset_generate(customers=200, seed=11, as_of=AS_OF)
    other = dataset_generate(customers=200, seed=12, as_of=AS_OF)
    for name in ("customers", "orders", "support_tickets", "customer_events"):
        assert not first[name].equals(other[name]), name


def test_a_later_as_of_moves_the_history_with_it() -> None:
    later = dataset_generate(customers=50, seed=3, as_of=dt.date(2026, 11, 24))
    assert later["orders"].order_date.max() <= "2026-11-24T23:59:59"
    assert later["orders"].order_date.min() > "2024-01-01"


# --- the contract's rules ------------------------------------------------------------------


def test_every_reference_names_an_existing_row(workbook) -> None:
    customers = set(workbook["customers"].customer_id)
    for name, frame in workbook.items():
        assert set(frame.customer_id) <= customers, name
    orders = workbook["orders"].set_index("order_id")
    payments = workbook["payments"]
    assert set(payments.order_id) <= set(orders.index)
    assert (orders.customer_id.reindex(payments.order_id).to_numpy() == payments.customer_id.to_numpy()).all()
    assert (orders.total_amount.reindex(payments.order_id).to_numpy() == payments.amount.to_numpy()).all()
    tickets = workbook["support_tickets"]
    about_an_order = tickets[tickets.order_id.notna()]
    assert 0 < len(about_an_order) < len(tickets)
    assert set(about_an_order.order_id) <= set(orders.index)
    assert (
        orders.customer_id.reindex(about_an_order.order_id).to_numpy() == about_an_order.customer_id.to_numpy()
    ).all()


def test_keys_and_emails_are_unique_ascii_and_on_example_domains(workbook) -> None:
    for sheet in SHEETS:
        frame = workbook[sheet.name]
        for column in sheet.columns:
            if column.unique:
                assert frame[column.name].is_unique, (sheet.name, column.name)
    emails = workbook["customers"].email
    assert emails.is_unique
    assert emails.str.fullmatch(r"[a-z0-9.]+@example\.(com|org|net|in)").all()


def test_ids_carry_their_prefixes(workbook) -> None:
    for (sheet, column), pattern in ID_PATTERNS.items():
        values = _present(workbook[sheet][column])
        assert len(values) > 0
        assert values.str.fullmatch(pattern).all(), (sheet, column)
    products = workbook["orders"].product_ids.str.split(",").explode()
    assert products.str.fullmatch(r"P2\d{5}").all()


def test_nothing_happens_after_the_end_of_as_of(workbook) -> None:
    for sheet in SHEETS:
        frame = workbook[sheet.name]
        for column in sheet.columns:
            values = _present(frame[column.name])
            if column.kind == "timestamp":
                assert values.str.fullmatch(TIMESTAMP).all(), column.name
                assert values.max() <= END_OF_AS_OF, (sheet.name, column.name)
            elif column.kind == "date":
                assert values.str.fullmatch(DATE).all(), column.name
                if column.name != "estimated_delivery_date":  # orders in transit are due after as_of
                    assert values.max() <= AS_OF.isoformat(), (sheet.name, column.name)
    orders = workbook["orders"]
    # Only orders still on their way, or delivered early, are due after as_of.
    due_later = orders[orders.estimated_delivery_date > AS_OF.isoformat()]
    assert len(due_later) > 0
    arrived = due_later.actual_delivery_date.notna()
    assert (due_later.delivery_delay_days[arrived].astype(float) < 0).all()
    assert set(due_later.order_status[~arrived]) <= {"placed", "processing", "shipped", "cancelled"}


def test_customers_sign_up_before_they_do_anything_and_were_last_active_after(workbook) -> None:
    columns = {
        "orders": "order_date",
        "customer_events": "event_time",
        "support_tickets": "created_at",
        "nps_survey": "date",
    }
    days = {
        name: workbook[name].assign(day=workbook[name][column].str[:10]).groupby("customer_id").day
        for name, column in columns.items()
    }
    customers = workbook["customers"].set_index("customer_id")
    first = pd.concat([grouped.min() for grouped in days.values()], axis=1).min(axis=1)
    assert (customers.signup_date.reindex(first.index) < first).all()
    latest = pd.concat([days["orders"].max(), days["customer_events"].max()], axis=1).max(axis=1)
    assert (customers.last_active_date.reindex(latest.index) >= latest).all()


def test_enums_are_the_canonical_values(workbook) -> None:
    for sheet in SHEETS:
        for column in sheet.columns:
            if column.kind == "enum":
                assert set(workbook[sheet.name][column.name]) <= set(column.choices), (sheet.name, column.name)
    assert set(workbook["customers"].segment) == set(customer_models.Segment.values)
    assert set(workbook["customers"].loyalty_tier) == set(customer_models.LoyaltyTier.values)
    assert set(workbook["orders"].payment_method) == set(customer_models.PaymentMethod.values)
    assert set(workbook["support_tickets"].status) == set(customer_models.TicketStatus.values)
    events = workbook["customer_events"]
    assert set(events.event_type) == {
        "view",
        "search",
        "add_to_cart",
        "wishlist_add",
        "click_promo",
        "purchase",
        "app.inactive",  # leaving signals a provider reported into the activity log
        "email.unsubscribe",
    }
    assert set(_present(events.device)) == {"web", "mobile_web", "android_app", "ios_app"}
    failed = workbook["payments"][workbook["payments"].status == "failed"]
    assert set(failed.failure_reason) == {"insufficient_funds", "card_expired", "network_error", "fraud_suspected"}
    assert workbook["payments"][workbook["payments"].status != "failed"].failure_reason.isna().all()


def test_numbers_stay_in_their_ranges(workbook) -> None:
    for sheet in SHEETS:
        frame = workbook[sheet.name]
        for column in sheet.columns:
            if column.minimum is None and column.maximum is None:
                continue
            values = _present(frame[column.name]).astype(float)
            if column.minimum is not None:
                assert values.min() >= column.minimum, (sheet.name, column.name)
            if column.maximum is not None:
                assert values.max() <= column.maximum, (sheet.name, column.name)
    tickets = workbook["support_tickets"]
    assert set(tickets.csat_score) == {1, 2, 3, 4, 5}
    assert tickets.sentiment_score.between(-1, 1).all()
    assert workbook["nps_survey"].nps_score.between(0, 10).all()
    assert workbook["orders"].items_count.min() >= 1
    for sheet, column in [("orders", "total_amount"), ("payments", "amount"), ("customers", "lifetime_value")]:
        cents = workbook[sheet][column] * 100
        assert np.allclose(cents, cents.round()), (sheet, column)


def test_delivery_delay_is_actual_minus_estimated_and_empty_until_delivered(workbook) -> None:
    orders = workbook["orders"]
    arrived = orders[orders.actual_delivery_date.notna()]
    assert set(arrived.order_status) <= {"delivered", "returned"}
    expected = (pd.to_datetime(arrived.actual_delivery_date) - pd.to_datetime(arrived.estimated_delivery_date)).dt.days
    assert (arrived.delivery_delay_days.astype(float) == expected).all()
    assert (arrived.delivery_delay_days.astype(float) > 0).any()
    assert (arrived.delivery_delay_days.astype(float) < 0).any()
    waiting = orders[orders.actual_delivery_date.isna()]
    assert waiting.delivery_delay_days.isna().all()
    assert (orders.order_status == "delivered").sum() > 0.8 * len(orders)


def test_tickets_are_resolved_or_not_consistently(workbook) -> None:
    tickets = workbook["support_tickets"]
    unresolved = tickets.status.isin(UNRESOLVED)
    assert tickets.resolution_time_hours[unresolved].isna().all()
    assert tickets.final_message_summary[unresolved].isna().all()
    assert tickets.resolution_time_hours[~unresolved].notna().all()
    assert tickets.final_message_summary[~unresolved].notna().all()
    assert set(tickets.escalation) == {"Y", "N"}
    assert (tickets.escalated_to.notna() == (tickets.escalation == "Y")).all()
    assert (tickets.escalation[tickets.status == "escalated"] == "Y").all()


def test_churn_labels_carry_a_date_and_reason_only_for_churners(workbook) -> None:
    labels = workbook["churn_labels"]
    assert set(labels.is_churn) == {0, 1}
    churners = labels.is_churn == 1
    assert labels.churn_date[churners].notna().all()
    assert labels.churn_date[~churners].isna().all()
    assert labels.churn_reason[~churners].isna().all()
    assert set(labels.churn_reason[churners]) == {
        "poor_support",
        "better_competitor",
        "product_quality",
        "price",
        "delivery_delay",
    }
    assert 0.15 < churners.mean() < 0.4
    signup = workbook["customers"].set_index("customer_id").signup_date
    assert (labels.churn_date[churners].to_numpy() > signup.reindex(labels.customer_id[churners]).to_numpy()).all()


def test_values_have_the_reference_workbooks_python_types(workbook) -> None:
    customers = workbook["customers"]
    phones = _present(customers.phone)
    assert all(type(phone) is int for phone in phones)
    assert phones.astype(str).str.fullmatch(r"(91[6-9]\d{9}|65[89]\d{7}|1\d{10}|44\d{10}|61\d{9}|9715\d{8})").all()
    assert customers.phone.isna().sum() < 0.05 * len(customers)
    assert {type(value) for value in customers.opt_in_marketing.astype(object)} == {bool}
    assert {type(value) for value in workbook["churn_labels"].is_churn.astype(object)} == {int}
    # Empty cells are None, never NaN, in text columns and nullable numbers alike.
    for sheet in SHEETS:
        frame = workbook[sheet.name]
        for column in sheet.columns:
            if column.nullable:
                missing = frame[column.name][frame[column.name].isna()]
                assert all(value is None for value in missing), (sheet.name, column.name)


# --- realism ------------------------------------------------------------------------------


def test_churned_customers_look_worse_than_retained_ones(workbook, churned) -> None:
    as_of = pd.Timestamp(AS_OF) + pd.Timedelta(days=1)
    payments = workbook["payments"]
    failed_share = payments.status.eq("failed").groupby(payments.customer_id).mean()
    failed = failed_share.groupby(churned.reindex(failed_share.index)).mean()
    assert failed[True] > 1.2 * failed[False]

    tickets = workbook["support_tickets"]
    unresolved = _by_label(tickets.status.isin(UNRESOLVED).groupby(tickets.customer_id).sum(), churned)
    assert unresolved[True] > 1.2 * unresolved[False]

    orders = workbook["orders"]
    recent_orders = orders[pd.to_datetime(orders.order_date) > as_of - pd.Timedelta(days=90)]
    recent = _by_label(recent_orders.groupby("customer_id").size(), churned)
    assert recent[True] < 0.5 * recent[False]

    events = workbook["customer_events"]
    recent_events = events[pd.to_datetime(events.event_time) > as_of - pd.Timedelta(days=90)]
    quiet = _by_label(recent_events.groupby("customer_id").size(), churned)
    assert quiet[True] < 0.5 * quiet[False]

    recent_tickets = tickets[pd.to_datetime(tickets.created_at) > as_of - pd.Timedelta(days=180)]
    labels = churned.reindex(recent_tickets.customer_id).to_numpy()
    assert (
        recent_tickets.sentiment_score.groupby(labels).mean()[True]
        < recent_tickets.sentiment_score.groupby(labels).mean()[False]
    )
    assert (
        recent_tickets.csat_score.groupby(labels).mean()[True] < recent_tickets.csat_score.groupby(labels).mean()[False]
    )

    nps = workbook["nps_survey"]
    recent_nps = nps[pd.to_datetime(nps.date) > as_of - pd.Timedelta(days=180)]
    scores = recent_nps.nps_score.groupby(churned.reindex(recent_nps.customer_id).to_numpy()).mean()
    assert scores[True] < scores[False] - 0.5

    customers = workbook["customers"].set_index("customer_id")
    idle_days = (as_of - pd.to_datetime(customers.last_active_date)).dt.days
    idle = idle_days.groupby(churned.reindex(idle_days.index)).median()
    assert idle[True] > 1.5 * idle[False]

    predicted = (
        workbook["churn_labels"]
        .groupby("is_churn")
        .predicted_churn_score.apply(lambda scores: _present(scores).astype(float).mean())
    )
    assert predicted[1] > predicted[0] + 0.2


def test_churn_is_noisy_not_a_rule(workbook, churned) -> None:
    # Some active customers churned and some quiet ones stayed: a model has to earn its score.
    orders = workbook["orders"]
    recent = orders[orders.order_date > (AS_OF - dt.timedelta(days=90)).isoformat()]
    active = churned.index.isin(recent.customer_id)
    assert churned[active].any()
    assert (~churned[~active]).any()


def test_segments_and_tiers_follow_lifetime_value_loosely(workbook) -> None:
    customers = workbook["customers"]
    by_segment = customers.groupby("segment").lifetime_value.mean()
    assert by_segment["VIP"] > by_segment["Loyal"] > by_segment["Regular"] > by_segment["Occasional"]
    by_tier = customers.groupby("loyalty_tier").lifetime_value.mean()
    assert by_tier["Platinum"] > by_tier["Gold"] > by_tier["Silver"] > by_tier["Bronze"]
    spent = workbook["orders"].groupby("customer_id").total_amount.sum().reindex(customers.customer_id).to_numpy()
    assert np.corrcoef(spent, customers.lifetime_value)[0, 1] > 0.5
    assert not np.allclose(spent, customers.lifetime_value)
    mean_order = workbook["orders"].groupby("customer_id").total_amount.mean().reindex(customers.customer_id)
    ratio = customers.avg_order_value.to_numpy() / mean_order.to_numpy()
    assert 0.8 < np.median(ratio) < 1.2


def test_customers_come_from_several_countries_languages_and_scripts(workbook) -> None:
    customers = workbook["customers"]
    assert set(customers.country) == {"India", "Singapore", "USA", "UK", "Australia", "UAE"}
    assert customers.country.value_counts().idxmax() == "India"
    assert {"en", "hi", "bn", "ta", "te"} <= set(customers.language)
    scripts = {
        "hi": r"[\u0900-\u097F]",  # Devanagari
        "bn": r"[\u0980-\u09FF]",  # Bengali
        "ta": r"[\u0B80-\u0BFF]",  # Tamil
        "te": r"[\u0C00-\u0C7F]",  # Telugu
        "ar": r"[\u0600-\u06FF]",  # Arabic
    }
    for language, script in scripts.items():
        names = customers[customers.language == language].first_name
        in_script = names.str.contains(script)
        assert in_script.any(), language
        assert (~in_script).any() or language == "ar", language  # some keep a Latin name
    assert customers[customers.language == "en"].first_name.str.fullmatch(r"[A-Za-z' -]+").mean() > 0.95


def test_texts_read_like_customers_wrote_them(workbook) -> None:
    tickets = workbook["support_tickets"]
    assert tickets.initial_message.str.len().min() > 10
    with_order = tickets[tickets.order_id.notna() & tickets.initial_message.str.contains("O3")]
    assert (with_order.apply(lambda row: row.order_id in row.initial_message, axis=1)).all()
    assert tickets.initial_message.str.contains(r"[\u0900-\u097F]").any()  # a few write in their own language
    feedback = workbook["nps_survey"].feedback_text
    assert 0.1 < feedback.isna().mean() < 0.6


# --- the command ----------------------------------------------------------------------------------


def test_the_command_writes_a_csv_folder(tmp_path: Path) -> None:
    out = io.StringIO()
    folder = tmp_path / "workbook"
    call_command(
        "generate_dataset",
        "--customers",
        "20",
        "--seed",
        "1",
        "--as-of",
        "2025-10-09",
        "--out",
        str(folder),
        stdout=out,
    )
    assert sorted(path.name for path in folder.iterdir()) == sorted(f"{sheet.name}.csv" for sheet in SHEETS)
    sheets = {raw.name: raw for raw in workbook_read_sheets(folder, [sheet.name for sheet in SHEETS])}
    for sheet in SHEETS:
        assert sheets[sheet.name].header == list(sheet.column_names)
        assert len(sheets[sheet.name].rows) == dataset_sizes(20)[sheet.name]
    customers = pd.DataFrame(sheets["customers"].rows, columns=sheets["customers"].header)
    assert customers.phone[customers.phone != ""].str.fullmatch(r"\d{10,12}").all()  # no "919831882064.0"
    output = out.getvalue()
    assert "orders: 100 rows" in output
    assert f"Wrote {sum(dataset_sizes(20).values()):,} rows" in output


def test_the_command_writes_an_xlsx_with_the_contracts_cell_types(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    call_command(
        "generate_dataset",
        "--customers",
        "15",
        "--seed",
        "2",
        "--as-of",
        "2025-10-09",
        "--out",
        str(path),
        stdout=io.StringIO(),
    )
    assert workbook_sheet_names(path) == [sheet.name for sheet in SHEETS]
    sheets = {raw.name: raw for raw in workbook_read_sheets(path, [sheet.name for sheet in SHEETS])}
    first = dict(zip(sheets["customers"].header, sheets["customers"].rows[0], strict=True))
    assert isinstance(first["phone"], int | float)
    assert float(first["phone"]).is_integer()
    assert DATE.fullmatch(first["signup_date"])
    assert isinstance(first["opt_in_marketing"], bool)
    assert len(sheets["customer_events"].rows) == dataset_sizes(15)["customer_events"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--customers", "0"], "--customers must be at least 1"),
        (["--customers", "-5"], "--customers must be at least 1"),
        (["--as-of", "2025-13-40"], "is not a date; give it as YYYY-MM-DD"),
        (["--as-of", "yesterday"], "is not a date; give it as YYYY-MM-DD"),
        (["--seed", "-1"], "--seed must be 0 or more"),
        (["--out", "{tmp}/workbook.csv"], "give a .xlsx file or a folder name"),
    ],
)
def test_the_command_rejects_bad_arguments_and_writes_nothing(tmp_path: Path, arguments, message) -> None:
    arguments = [argument.format(tmp=tmp_path) for argument in arguments]
    if "--out" not in arguments:
        arguments += ["--out", str(tmp_path / "workbook.xlsx")]
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("generate_dataset", *arguments, stdout=io.StringIO())
    assert list(tmp_path.iterdir()) == []


def test_drifters_send_leaving_signals_before_they_leave_and_the_settled_rarely_do(workbook, churned) -> None:
    events = workbook["customer_events"]
    leaving = events[events.event_type.isin(["app.inactive", "email.unsubscribe"])]
    assert leaving.session_id.isna().all()
    assert leaving.device.isna().all()
    share = _by_label(leaving.groupby("customer_id").size().clip(upper=1), churned)
    assert share[True] > 3 * share[False]
    # Before the churn date, never after: a signal of leaving, not of having left.
    churn_dates = workbook["churn_labels"].set_index("customer_id").churn_date.dropna()
    by_churner = leaving[leaving.customer_id.isin(churn_dates.index)]
    signal_day = pd.to_datetime(by_churner.event_time).dt.normalize()
    assert (signal_day <= pd.to_datetime(churn_dates.reindex(by_churner.customer_id)).to_numpy()).all()
