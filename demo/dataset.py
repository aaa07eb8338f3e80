"""A synthetic ProCX workbook: the seven sheets, coherent with each other (pure: no ORM).

Every customer carries a hidden `drift` towards churn. About a third of them drift: from a
bend somewhere in their history (more often lately) they order less and spend less, their
payments fail more often, their tickets pile up unresolved with low sentiment and CSAT, their
NPS answers sink, they browse less, and many stop opening the app or unsubscribe from email.
Most drifters leave 120 to 300 days after their bend; those whose day has not come yet are
drifting away today, labelled retained. Some drifters recover and a few settled customers
leave without warning, so the labels are noisy both ways; churners go (almost) quiet after
their churn date. What a churner showed before leaving is what a drifter shows today, so a
model measured point in time has a signal to find that is neither absent nor trivial, and
the default scan of the demo workbook finds a handful of valuable customers at risk.

Everything is vectorised with one `numpy.random.Generator`: the same seed and `as_of` give
identical frames. Values are written the way the reference workbook holds them (see
`DATA_CONTRACT.md`): ids and dates as text, timestamps as `YYYY-MM-DDTHH:MM:SS` (UTC),
`phone` as an integer, `escalation` as `Y`/`N`, `is_churn` as 0/1, empty values as None.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from faker import Faker

from customers import models as customer_models
from customers.workbook import SHEETS, SHEETS_BY_NAME

Progress = Callable[[str], None]

# Rows per customer in the reference workbook (1,000 customers).
SIZE_RATIOS: dict[str, float] = {
    "customers": 1.0,
    "orders": 5.0,
    "payments": 4.75,
    "support_tickets": 2.0,
    "nps_survey": 0.8,
    "churn_labels": 1.0,
    "customer_events": 10.0,
}

# The reference workbook runs from 2023-01-01 to 2025-10-09.
HISTORY_DAYS = (dt.date(2025, 10, 9) - dt.date(2023, 1, 1)).days
NEWEST_SIGNUP_DAYS_AGO = 60  # every customer has at least two months of history
DRIFT_SHARE = 0.35
DRIFT_TO_CHURN_DAYS = (120, 300)  # a drifter leaves this long after their behaviour bends
DRIFT_RAMP_DAYS = 120  # trouble grows from half to all of a drifter's drift over this many days
DRIFT_RECOVERY_SHARE = 0.12  # drifters who stay after all
ABRUPT_CHURN_SHARE = 0.03  # customers with no drift who leave without warning

SECONDS_PER_DAY = 86_400

# --- reference values ------------------------------------------------------------------
# Places, products, names and the wording of tickets and NPS answers are data, in demo/data/
# (one JSON file per topic); lists there become tuples here, as the generator draws from them.


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    return value


_DATA = Path(__file__).resolve().parent / "data"
_REFERENCE: dict[str, dict[str, Any]] = {
    path.stem: _tuples(json.loads(path.read_text(encoding="utf-8"))) for path in sorted(_DATA.glob("*.json"))
}

COUNTRIES = _REFERENCE["places"]["COUNTRIES"]
COUNTRY_WEIGHTS = (0.60, 0.08, 0.10, 0.08, 0.07, 0.07)
LANGUAGES_BY_COUNTRY = _REFERENCE["places"]["LANGUAGES_BY_COUNTRY"]
# Indian customers' cities follow their language; elsewhere the country decides.
INDIAN_CITIES_BY_LANGUAGE = _REFERENCE["places"]["INDIAN_CITIES_BY_LANGUAGE"]
CITIES_BY_COUNTRY = _REFERENCE["places"]["CITIES_BY_COUNTRY"]
EMAIL_DOMAINS = _REFERENCE["places"]["EMAIL_DOMAINS"]
INDIAN_EMAIL_DOMAIN = "example.in"

CATEGORIES = _REFERENCE["catalogue"]["CATEGORIES"]
CATEGORY_WEIGHTS = (0.22, 0.22, 0.16, 0.12, 0.10, 0.10, 0.08)
CATEGORY_UNIT_PRICE = (120.0, 35.0, 30.0, 20.0, 14.0, 40.0, 25.0)
PRODUCTS_PER_CATEGORY = 50
FIRST_PRODUCT = 200_000
MAX_ITEMS = 8

PAYMENT_METHODS = tuple(customer_models.PaymentMethod.values)  # card, upi, wallet, netbanking, cod
PAYMENT_METHOD_WEIGHTS_INDIA = (0.22, 0.42, 0.12, 0.08, 0.16)
PAYMENT_METHOD_WEIGHTS_ABROAD = (0.70, 0.00, 0.20, 0.05, 0.05)
COD = PAYMENT_METHODS.index("cod")
CARD = PAYMENT_METHODS.index("card")
PROMO_CODES = _REFERENCE["catalogue"]["PROMO_CODES"]

DEVICES = ("web", "mobile_web", "android_app", "ios_app")
DEVICE_WEIGHTS_INDIA = (0.15, 0.20, 0.50, 0.15)
DEVICE_WEIGHTS_ABROAD = (0.30, 0.15, 0.20, 0.35)
BROWSING_EVENT_TYPES = ("view", "search", "add_to_cart", "wishlist_add", "click_promo")
# Leaving signals a provider reports into the activity log (customers.event_semantics: leaving):
# (type, chance for a drifter per unit of drift, chance for anyone else).
LEAVING_SIGNAL_CHANCES = (("app.inactive", 0.9, 0.01), ("email.unsubscribe", 0.4, 0.01))
LEAVING_EVENT_TYPES = tuple(name for name, _, _ in LEAVING_SIGNAL_CHANCES)
LEAVING_SIGNAL_DAYS = (20, 100)  # how far into a drift the signal comes
BROWSING_EVENT_WEIGHTS = (0.52, 0.20, 0.11, 0.07, 0.10)
PURCHASE_EVENT_SHARE = 0.05  # each mirrors an order: view, add_to_cart, purchase

SEGMENTS = ("VIP", "Loyal", "Regular", "Occasional")  # best first
SEGMENT_SHARES = (0.10, 0.25, 0.40, 0.25)
LOYALTY_TIERS = ("Platinum", "Gold", "Silver", "Bronze")
LOYALTY_TIER_SHARES = (0.07, 0.18, 0.35, 0.40)

TICKET_CATEGORIES = ("delivery", "refund", "product", "account", "payment", "other")
TICKET_CHANNELS = ("email", "chat", "phone", "social")
TICKET_PRIORITIES = ("low", "medium", "high", "urgent")
ESCALATION_TEAMS = _REFERENCE["support"]["ESCALATION_TEAMS"]
CHURN_REASONS = _REFERENCE["support"]["CHURN_REASONS"]

# Diurnal shopping pattern: quiet nights, a lunch bump, a long evening peak (UTC-ish).
HOUR_WEIGHTS = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4.5, 5, 6, 6, 5, 4.5, 4.5, 5, 6, 7.5, 8, 7, 4.5, 2], dtype=float
)
HOUR_WEIGHTS /= HOUR_WEIGHTS.sum()

# Faker has no Telugu locale; real Telugu-script names.
TELUGU_FIRST_NAMES = _REFERENCE["names"]["TELUGU_FIRST_NAMES"]
TELUGU_LAST_NAMES = _REFERENCE["names"]["TELUGU_LAST_NAMES"]
TELUGU = "te"
NATIVE_SCRIPT_LOCALES = ("hi_IN", "bn_BD", "ta_IN", "ar_AA", TELUGU)
NAME_LOCALES = (
    "en_IN",
    "hi_IN",
    "bn_BD",
    "ta_IN",
    TELUGU,
    "en_US",
    "en_GB",
    "en_AU",
    "ar_AA",
    "es_ES",
    "fr_FR",
    "de_DE",
)
# Which name pool a customer draws from: (native locale, share of native names).
NATIVE_NAMES_BY_LANGUAGE = {
    "hi": ("hi_IN", 0.75),
    "bn": ("bn_BD", 0.75),
    "ta": ("ta_IN", 0.75),
    "te": (TELUGU, 0.75),
    "ar": ("ar_AA", 0.85),
    "es": ("es_ES", 1.0),
    "fr": ("fr_FR", 1.0),
    "de": ("de_DE", 1.0),
}
ENGLISH_NAMES_BY_COUNTRY: dict[str, dict[str, float]] = {
    "India": {"en_IN": 1.0},
    "Singapore": {"en_US": 0.5, "en_IN": 0.5},
    "USA": {"en_US": 1.0},
    "UK": {"en_GB": 1.0},
    "Australia": {"en_AU": 1.0},
    "UAE": {"en_IN": 0.6, "en_GB": 0.4},
}
NAME_POOL_SIZE = 300

# --- text templates -----------------------------------------------------------------------

# Keyed by category, then by what happened to the order ("any": whatever happened).
TICKET_MESSAGES_ABOUT_AN_ORDER = _REFERENCE["support"]["TICKET_MESSAGES_ABOUT_AN_ORDER"]
TICKET_MESSAGES_WITHOUT_ORDER = _REFERENCE["support"]["TICKET_MESSAGES_WITHOUT_ORDER"]
# A few customers write in their own language; "other" serves the categories not listed.
TICKET_MESSAGES_NATIVE = _REFERENCE["support"]["TICKET_MESSAGES_NATIVE"]
NATIVE_MESSAGE_SHARE = 0.3
TRIGGERED_TICKET_SHARE = 0.45  # tickets that follow a problem with an order
TICKET_SUMMARIES = _REFERENCE["support"]["TICKET_SUMMARIES"]
NPS_FEEDBACK = _REFERENCE["nps"]["NPS_FEEDBACK"]
NPS_FEEDBACK_NATIVE = _REFERENCE["nps"]["NPS_FEEDBACK_NATIVE"]


def dataset_sizes(customers: int) -> dict[str, int]:
    """Rows per sheet for a workbook of `customers` customers, in the reference proportions."""
    return {name: round(customers * ratio) for name, ratio in SIZE_RATIOS.items()}


def dataset_generate(
    *, customers: int, seed: int, as_of: dt.date, progress: Progress | None = None
) -> dict[str, pd.DataFrame]:
    """The seven sheets of a synthetic workbook, keyed by sheet name in `SHEETS` order.

    Each frame has exactly its sheet's columns, in contract order. Nothing happens after
    the end of `as_of` (UTC), except that orders still in transit may have an
    `estimated_delivery_date` a few days later.
    """
    if customers < 1:
        raise ValueError(f"customers must be at least 1, not {customers}")
    say = progress or (lambda message: None)
    sizes = dataset_sizes(customers)
    rng = np.random.default_rng(seed)
    clock = _Clock(as_of)

    say(f"customers: {customers:,}")
    population = _population(rng, customers, clock)
    say(f"orders and payments: {sizes['orders']:,} and {sizes['payments']:,}")
    orders = _orders(rng, population, clock, sizes["orders"])
    payments = _payments(rng, population, clock, orders, sizes["payments"])
    say(f"support tickets: {sizes['support_tickets']:,}")
    tickets = _tickets(rng, population, clock, orders, sizes["support_tickets"])
    say(f"NPS answers: {sizes['nps_survey']:,}")
    nps = _nps(rng, population, clock, sizes["nps_survey"])
    say(f"customer events: {sizes['customer_events']:,}")
    events = _events(rng, population, clock, orders, sizes["customer_events"])
    say("customers and churn labels")
    customer_frame = _customers(rng, population, clock, seed, orders, activity=(orders, tickets, nps, events))
    churn = _churn_labels(rng, population, clock, orders, payments, tickets)

    frames = {
        "customers": customer_frame,
        "orders": orders.frame,
        "payments": payments.frame,
        "support_tickets": tickets.frame,
        "nps_survey": nps.frame,
        "churn_labels": churn,
        "customer_events": events.frame,
    }
    return {sheet.name: frames[sheet.name] for sheet in SHEETS}


# --- time ------------------------------------------------------------------------------------


class _Clock:
    """Times are float days since the first day of history; day `end - 1` is `as_of`."""

    def __init__(self, as_of: dt.date) -> None:
        self.start = np.datetime64(as_of, "D") - np.timedelta64(HISTORY_DAYS, "D")
        self.end = HISTORY_DAYS + 1
        self.last_second = self.end - 1 / SECONDS_PER_DAY

    def timestamps(self, days: np.ndarray) -> np.ndarray:
        seconds = np.minimum(np.floor(days * SECONDS_PER_DAY), self.end * SECONDS_PER_DAY - 1).astype(np.int64)
        stamps = self.start.astype("datetime64[s]") + seconds.astype("timedelta64[s]")
        return np.datetime_as_string(stamps, unit="s").astype(object)

    def dates(self, days: np.ndarray) -> np.ndarray:
        stamps = self.start + np.floor(days).astype(np.int64).astype("timedelta64[D]")
        return np.datetime_as_string(stamps, unit="D").astype(object)


def _at_time_of_day(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Keep each day, redraw the time of day from the diurnal pattern."""
    hours = rng.choice(24, size=len(days), p=HOUR_WEIGHTS)
    return np.floor(days) + (hours + rng.random(len(days))) / 24


# --- customers' hidden state -------------------------------------------------------------------


@dataclass
class _Population:
    count: int
    country: np.ndarray  # index into COUNTRIES
    language: np.ndarray  # object: ISO 639-1 code
    city: np.ndarray  # object
    preferred_category: np.ndarray  # index into CATEGORIES
    preferred_method: np.ndarray  # index into PAYMENT_METHODS
    preferred_device: np.ndarray  # index into DEVICES
    signup_day: np.ndarray  # int
    drift: np.ndarray  # 0..1, how strongly the customer is sliding towards churn
    is_churn: np.ndarray  # bool
    bend_day: np.ndarray  # float: behaviour starts changing here
    stop_day: np.ndarray  # float: churners go quiet from here; `end` for everyone else
    propensity: np.ndarray  # how often they buy
    spend: np.ndarray  # how much they spend per item
    ids: np.ndarray  # object: C100000...

    @property
    def active_from(self) -> np.ndarray:
        # Activity starts the day after signup, so signup_date is before the first activity.
        return self.signup_day + 1.0

    def phase_lengths(self, end: int) -> np.ndarray:
        """Days in each phase per customer: normal, drifting, gone (after churn)."""
        start = self.active_from
        return np.stack([self.bend_day - start, self.stop_day - self.bend_day, end - self.stop_day], axis=1)

    def trouble(self, owners: np.ndarray, days: np.ndarray, end: int) -> np.ndarray:
        """How much of the owner's drift shows at `days`: 0 before the bend, then growing from half
        to all of it over DRIFT_RAMP_DAYS, the same for a churner on their way out as for a
        drifter today (so what churners showed before leaving is what a model can find now)."""
        bend = self.bend_day[owners]
        progress = np.clip((days - bend) / DRIFT_RAMP_DAYS, 0.0, 1.0)
        return self.drift[owners] * (days >= bend) * (0.5 + 0.5 * progress)


def _population(rng: np.random.Generator, count: int, clock: _Clock) -> _Population:
    end = clock.end
    country = rng.choice(len(COUNTRIES), size=count, p=COUNTRY_WEIGHTS)
    language = np.empty(count, dtype=object)
    city = np.empty(count, dtype=object)
    for index, name in enumerate(COUNTRIES):
        members = np.flatnonzero(country == index)
        codes = list(LANGUAGES_BY_COUNTRY[name])
        language[members] = np.array(codes, dtype=object)[
            rng.choice(len(codes), size=len(members), p=list(LANGUAGES_BY_COUNTRY[name].values()))
        ]
        if name != "India":
            city[members] = _pick_city(rng, CITIES_BY_COUNTRY[name], len(members))
    india = country == COUNTRIES.index("India")
    for code, cities in INDIAN_CITIES_BY_LANGUAGE.items():
        members = np.flatnonzero(india & (language == code))
        city[members] = _pick_city(rng, cities, len(members))

    preferred_method = np.where(
        india,
        rng.choice(len(PAYMENT_METHODS), size=count, p=PAYMENT_METHOD_WEIGHTS_INDIA),
        rng.choice(len(PAYMENT_METHODS), size=count, p=PAYMENT_METHOD_WEIGHTS_ABROAD),
    )
    preferred_device = np.where(
        india,
        rng.choice(len(DEVICES), size=count, p=DEVICE_WEIGHTS_INDIA),
        rng.choice(len(DEVICES), size=count, p=DEVICE_WEIGHTS_ABROAD),
    )
    preferred_category = rng.choice(len(CATEGORIES), size=count, p=CATEGORY_WEIGHTS)

    # More early signups than late ones; everyone has at least two months of history.
    signup_day = np.floor(rng.beta(1.2, 1.8, size=count) * (end - 1 - NEWEST_SIGNUP_DAYS_AGO)).astype(np.int64)
    active_from = signup_day + 1.0

    drifting = rng.random(count) < DRIFT_SHARE
    drift = np.where(drifting, rng.beta(4, 2, size=count), rng.beta(1, 12, size=count))

    # Drifters bend at any point of the history and leave DRIFT_TO_CHURN_DAYS later; those whose
    # leaving day is still ahead are the ones drifting away now (not churned, labelled retained).
    # A few drifters recover and stay; a few healthy customers leave abruptly: the labels are
    # noisy both ways, as real ones are.
    # Bends come more often lately (the shop's competition grows), so a realistic share of
    # customers is drifting away today.
    bend_day = end - rng.beta(1.0, 1.6, size=count) * (HISTORY_DAYS - NEWEST_SIGNUP_DAYS_AGO)
    drift_days = rng.uniform(*DRIFT_TO_CHURN_DAYS, size=count)
    recovers = rng.random(count) < DRIFT_RECOVERY_SHARE
    churn_day = np.where(drifting, bend_day + drift_days, end - rng.uniform(10, HISTORY_DAYS / 2, size=count))
    abrupt = ~drifting & (rng.random(count) < ABRUPT_CHURN_SHARE)
    is_churn = (drifting & ~recovers & (churn_day < end - 1)) | abrupt
    bend_day = np.where(abrupt, churn_day - rng.uniform(20, 60, size=count), bend_day)
    bend_day = np.clip(bend_day, active_from, end)
    is_churn &= churn_day > bend_day  # a churn day before signup is no churn
    stop_day = np.where(is_churn, np.clip(np.floor(churn_day), bend_day, end - 1), end)

    return _Population(
        count=count,
        country=country,
        language=language,
        city=city,
        preferred_category=preferred_category,
        preferred_method=preferred_method,
        preferred_device=preferred_device,
        signup_day=signup_day,
        drift=drift,
        is_churn=is_churn,
        bend_day=bend_day,
        stop_day=stop_day,
        propensity=rng.lognormal(0.0, 0.7, size=count),
        spend=rng.lognormal(0.0, 0.45, size=count),
        ids=_ids("C", 100_000, count),
    )


def _pick_city(rng: np.random.Generator, cities: tuple[str, ...], size: int) -> np.ndarray:
    # The first cities listed are the big ones.
    weights = 1 / np.arange(1, len(cities) + 1) ** 0.7
    return np.array(cities, dtype=object)[rng.choice(len(cities), size=size, p=weights / weights.sum())]


def _rates(pop: _Population, drifting: np.ndarray, gone: float) -> np.ndarray:
    """Activity per day in each phase (normal, drifting, gone), relative to the normal phase."""
    return np.stack([np.ones(pop.count), drifting, np.full(pop.count, gone)], axis=1)


def _owners(rng: np.random.Generator, weights: np.ndarray, size: int, *, everyone_once: bool = False) -> np.ndarray:
    """Which customer each of `size` rows belongs to, drawn in proportion to `weights`."""
    count = len(weights)
    if everyone_once and size >= count:
        rest = rng.choice(count, size=size - count, p=weights / weights.sum())
        return np.concatenate([np.arange(count), rest])
    return rng.choice(count, size=size, p=weights / weights.sum())


def _activity_days(
    rng: np.random.Generator, pop: _Population, owners: np.ndarray, mass: np.ndarray, rates: np.ndarray
) -> np.ndarray:
    """Float days for rows of `owners`, spread over each owner's phases in proportion to the rates.

    This inverts the piecewise-constant density: draw a point in the owner's total mass, find
    the phase it lands in, and walk into that phase at the phase's rate.
    """
    size = len(owners)
    row_mass = mass[owners]
    cumulative = row_mass.cumsum(axis=1)
    point = rng.random(size) * cumulative[:, -1]
    phase = np.minimum((point[:, None] >= cumulative).sum(axis=1), 2)
    rows = np.arange(size)
    before = cumulative[rows, phase] - row_mass[rows, phase]
    starts = np.stack([pop.active_from[owners], pop.bend_day[owners], pop.stop_day[owners]], axis=1)
    return starts[rows, phase] + (point - before) / rates[owners, phase]


def _pick_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """For each row of a weight matrix, a column drawn in proportion to the row's weights."""
    cumulative = weights.cumsum(axis=1)
    point = rng.random(len(weights)) * cumulative[:, -1]
    return np.minimum((point[:, None] >= cumulative).sum(axis=1), weights.shape[1] - 1)


# --- orders ------------------------------------------------------------------------------------


@dataclass
class _Orders:
    owner: np.ndarray
    day: np.ndarray
    total: np.ndarray
    method: np.ndarray
    first_product: np.ndarray
    trouble: np.ndarray
    estimated_day: np.ndarray
    actual_day: np.ndarray  # float, NaN when not delivered
    delay: np.ndarray  # float, NaN when not delivered
    status: np.ndarray  # object
    attempts: np.ndarray  # payment attempts (before trimming to the sheet's size)
    last_attempt_failed: np.ndarray
    pending: np.ndarray  # the order's payment is pending
    ids: np.ndarray
    frame: pd.DataFrame


def _orders(rng: np.random.Generator, pop: _Population, clock: _Clock, count: int) -> _Orders:
    end = clock.end
    noise = rng.lognormal(0.0, 0.25, size=pop.count)
    rates = _rates(pop, np.clip((1 - 0.9 * pop.drift) * noise, 0.05, 2.0), 0.03)
    mass = pop.phase_lengths(end) * rates
    owner = _owners(rng, pop.propensity * mass.sum(axis=1), count, everyone_once=True)
    day = _at_time_of_day(rng, _activity_days(rng, pop, owner, mass, rates))
    chronological = np.lexsort((owner, day))
    owner, day = owner[chronological], day[chronological]
    trouble = pop.trouble(owner, day, end)

    # Products: half of them from the customer's favourite category.
    items = np.minimum(1 + rng.poisson(0.9, size=count), MAX_ITEMS)
    favourite = rng.random((count, MAX_ITEMS)) < 0.55
    category = np.where(
        favourite,
        pop.preferred_category[owner][:, None],
        rng.choice(len(CATEGORIES), size=(count, MAX_ITEMS), p=CATEGORY_WEIGHTS),
    )
    product = category * PRODUCTS_PER_CATEGORY + rng.integers(0, PRODUCTS_PER_CATEGORY, size=(count, MAX_ITEMS))
    product_names = _ids("P", FIRST_PRODUCT, len(CATEGORIES) * PRODUCTS_PER_CATEGORY)
    product_ids = np.array(
        [
            ",".join(dict.fromkeys(row[:size]))
            for row, size in zip(product_names[product].tolist(), items.tolist(), strict=True)
        ],
        dtype=object,
    )

    # Drifting customers spend less as their drift shows.
    unit_price = np.asarray(CATEGORY_UNIT_PRICE)[category[:, 0]] * rng.lognormal(0.0, 0.5, size=count)
    total = unit_price * pop.spend[owner] * items * rng.uniform(0.85, 1.15, size=count) * (1 - 0.45 * trouble)
    total = np.round(np.maximum(total, 1.0), 2)

    method = np.where(
        rng.random(count) < 0.75,
        pop.preferred_method[owner],
        pop.preferred_method[rng.integers(0, pop.count, size=count)],
    )
    cod = method == COD

    # Payment attempts: failures come more with trouble; some are retried.
    fail_chance = np.where(cod, 0.0, 0.03 + 0.12 * pop.drift[owner] + 0.6 * trouble)
    first_failed = rng.random(count) < fail_chance
    second = first_failed & (rng.random(count) < 0.6)
    second_failed = second & (rng.random(count) < 0.25 + 0.4 * trouble)
    third = second_failed & (rng.random(count) < 0.4)
    third_failed = third & (rng.random(count) < 0.5)
    attempts = 1 + second.astype(np.int64) + third.astype(np.int64)
    last_attempt_failed = np.select([third, second], [third_failed, second_failed], first_failed)
    age = end - day
    pending = ~cod & ~last_attempt_failed & (age < 1.5) & (rng.random(count) < 0.25)

    # Delivery: lead time by country, delays more frequent and longer with trouble.
    india = pop.country[owner] == COUNTRIES.index("India")
    lead = np.where(india, rng.integers(2, 7, size=count), rng.integers(3, 9, size=count))
    estimated_day = np.floor(day) + lead
    late = rng.random(count) < 0.05 + 0.35 * trouble
    delay = np.round(rng.normal(-0.3, 1.0, size=count)) + late * np.ceil(rng.exponential(3.5, size=count))
    actual_day = np.maximum(estimated_day + delay, np.floor(day) + 1)
    delivered = actual_day < end

    customer_cancelled = rng.random(count) < 0.03 + 0.05 * trouble
    returned = rng.random(count) < 0.04 + 0.12 * trouble + 0.05 * (delay >= 3)
    status = np.select(
        [
            last_attempt_failed | customer_cancelled,
            pending | (~delivered & (age < 1)),
            ~delivered & (age < 2.5),
            ~delivered,
            returned,
        ],
        ["cancelled", "placed", "processing", "shipped", "returned"],
        "delivered",
    ).astype(object)
    has_arrived = (status == "delivered") | (status == "returned")
    actual_day = np.where(has_arrived, actual_day, np.nan)
    delay = np.where(has_arrived, actual_day - estimated_day, np.nan)

    # Cash on delivery is collected on arrival: pending until then, nothing if cancelled.
    pending = pending | (cod & ~has_arrived & (status != "cancelled"))
    attempts = np.where(cod & (status == "cancelled"), 0, attempts)
    payment_status = np.select([last_attempt_failed, pending], ["failed", "pending"], "success").astype(object)

    promo = rng.random(count) < 0.15 + 0.15 * trouble
    promo_code = np.where(promo, np.array(PROMO_CODES, dtype=object)[rng.integers(0, len(PROMO_CODES), count)], None)  # type: ignore[call-overload]  # numpy's stubs reject this array idiom (np.where with None, tuple from nonzero); behaviour is tested

    ids = _ids("O", 300_000, count)
    frame = _frame(
        "orders",
        order_id=ids,
        customer_id=pop.ids[owner],
        order_date=clock.timestamps(day),
        items_count=items.astype(np.int64),
        product_ids=product_ids,
        total_amount=total,
        payment_method=np.array(PAYMENT_METHODS, dtype=object)[method],
        payment_status=payment_status,
        order_status=status,
        estimated_delivery_date=clock.dates(estimated_day),
        actual_delivery_date=_nullable(clock.dates(np.nan_to_num(actual_day)), has_arrived),
        delivery_delay_days=_nullable(delay, has_arrived),
        promo_code=promo_code.astype(object),
    )
    return _Orders(
        owner=owner,
        day=day,
        total=total,
        method=method,
        first_product=product[:, 0],
        trouble=trouble,
        estimated_day=estimated_day,
        actual_day=actual_day,
        delay=delay,
        status=status,
        attempts=attempts,
        last_attempt_failed=last_attempt_failed,
        pending=pending,
        ids=ids,
        frame=frame,
    )


# --- payments -------------------------------------------------------------------------------


@dataclass
class _Payments:
    owner: np.ndarray
    failed: np.ndarray
    frame: pd.DataFrame


def _payments(rng: np.random.Generator, pop: _Population, clock: _Clock, orders: _Orders, count: int) -> _Payments:
    attempts = orders.attempts.copy()
    order = np.repeat(np.arange(len(attempts)), attempts)
    # Attempt number within the order: 0 for the first.
    attempt = np.arange(len(order)) - np.repeat(np.cumsum(attempts) - attempts, attempts)
    last = attempt == attempts[order] - 1

    # Fit the sheet's size. Too many rows: drop whole single-attempt payments first (records
    # the payment system never sent), then early failed attempts. Too few: add a failed
    # network_error attempt before some successful payments.
    excess = len(order) - count
    added = np.zeros(len(order), dtype=bool)
    if excess > 0:
        single = attempts[order] == 1
        priority = np.where(single, 0.0, np.where(~last, 1.0, 2.0)) + rng.random(len(order))
        keep = np.sort(np.argsort(priority, kind="stable")[excess:])
        order, attempt, last, added = order[keep], attempt[keep], last[keep], added[keep]
    elif excess < 0:
        candidates = np.flatnonzero(last & ~orders.last_attempt_failed[order] & ~orders.pending[order])
        if len(candidates) == 0:
            candidates = np.arange(len(order))
        extra = rng.choice(candidates, size=-excess, replace=len(candidates) < -excess)
        order = np.concatenate([order, order[extra]])
        attempt = np.concatenate([attempt, np.full(len(extra), -1)])
        last = np.concatenate([last, np.zeros(len(extra), dtype=bool)])
        added = np.concatenate([added, np.ones(len(extra), dtype=bool)])

    size = len(order)
    failed = ~last | orders.last_attempt_failed[order]
    pending = last & orders.pending[order]
    status = np.select([failed, pending], ["failed", "pending"], "success").astype(object)

    # Online payments follow the order within minutes, retries within hours; cash on delivery
    # is collected on the delivery day.
    cod = orders.method[order] == COD
    retry_gap = rng.exponential(90, size=size) + 2
    minutes = rng.uniform(0.5, 8, size=size) + np.maximum(attempt, 0) * retry_gap
    minutes = np.where(added, rng.uniform(0.1, 0.5, size=size), minutes)
    day = orders.day[order] + minutes / 1440
    arrived = ~np.isnan(orders.actual_day[order])
    collected = np.nan_to_num(orders.actual_day[order]) + rng.uniform(9, 20, size=size) / 24
    day = np.where(cod & arrived, np.maximum(collected, day), day)
    day = np.minimum(day, clock.last_second)
    chronological = np.lexsort((attempt, order, day))
    order, day, failed, status = order[chronological], day[chronological], failed[chronological], status[chronological]
    added = added[chronological]

    owner = orders.owner[order]
    trouble = orders.trouble[order]
    reason = np.select(
        [
            added,
            rng.random(size) < 0.3 + 0.5 * trouble,
            (orders.method[order] == CARD) & (rng.random(size) < 0.35),
            rng.random(size) < 0.15,
        ],
        ["network_error", "insufficient_funds", "card_expired", "fraud_suspected"],
        "network_error",
    ).astype(object)
    frame = _frame(
        "payments",
        payment_id=_ids("PM", 400_000, size),
        order_id=orders.ids[order],
        customer_id=pop.ids[owner],
        payment_date=clock.timestamps(day),
        amount=orders.total[order],
        payment_method=np.array(PAYMENT_METHODS, dtype=object)[orders.method[order]],
        status=status,
        failure_reason=np.where(failed, reason, None).astype(object),  # type: ignore[call-overload]  # numpy's stubs reject this array idiom (np.where with None, tuple from nonzero); behaviour is tested
    )
    return _Payments(owner=owner, failed=failed, frame=frame)


# --- support tickets ---------------------------------------------------------------------------


@dataclass
class _Tickets:
    owner: np.ndarray
    day: np.ndarray
    category: np.ndarray  # index into TICKET_CATEGORIES
    unresolved: np.ndarray
    csat: np.ndarray
    frame: pd.DataFrame


def _tickets(rng: np.random.Generator, pop: _Population, clock: _Clock, orders: _Orders, count: int) -> _Tickets:
    end = clock.end
    # Some tickets follow an order that went wrong, soon after it went wrong.
    triggered = round(count * TRIGGERED_TICKET_SHARE)
    problem = _order_problems(orders)
    weights = 0.15 + 2.5 * (problem != "fine") + 2.0 * orders.trouble
    about = rng.choice(len(orders.day), size=triggered, p=weights / weights.sum())
    delay_after = np.select(
        [problem[about] == "late", problem[about] == "not_arrived", problem[about] == "returned"],
        [
            np.nan_to_num(orders.actual_day[about]) - orders.day[about] + rng.uniform(0.1, 2, size=triggered),
            orders.estimated_day[about] - orders.day[about] + rng.uniform(0.3, 4, size=triggered),
            np.nan_to_num(orders.actual_day[about]) - orders.day[about] + rng.uniform(2, 12, size=triggered),
        ],
        rng.uniform(0.01, 0.5, size=triggered) + (problem[about] == "fine") * rng.uniform(1, 20, size=triggered),
    )
    triggered_day = np.minimum(orders.day[about] + delay_after, clock.last_second)

    # The others come from customers' own lives: more of them while a customer drifts, some
    # after they left.
    free = count - triggered
    rates = _rates(pop, 1.0 + 4.0 * pop.drift, 0.3 + pop.drift)  # type: ignore[arg-type]  # numpy's stubs reject this array idiom (np.where with None, tuple from nonzero); behaviour is tested
    mass = pop.phase_lengths(end) * rates
    complainer = rng.lognormal(0.0, 0.5, size=pop.count) * pop.propensity**0.4
    free_owner = _owners(rng, complainer * mass.sum(axis=1), free)
    free_day = _at_time_of_day(rng, _activity_days(rng, pop, free_owner, mass, rates))
    # A free ticket may still be about the customer's latest order (or the one before) if
    # that is at most 45 days older.
    by_customer = np.lexsort((orders.day, orders.owner))
    order_key = orders.owner[by_customer] * (end + 1.0) + orders.day[by_customer]
    position = np.searchsorted(order_key, free_owner * (end + 1.0) + free_day, side="right") - 1
    position = position - (rng.random(free) < 0.25)
    nearest = by_customer[np.clip(position, 0, len(by_customer) - 1)]
    free_linked = (
        (position >= 0)
        & (orders.owner[nearest] == free_owner)
        & (free_day - orders.day[nearest] <= 45)
        & (rng.random(free) < 0.6)
    )

    owner = np.concatenate([orders.owner[about], free_owner])
    day = np.concatenate([triggered_day, free_day])
    linked = np.concatenate([np.ones(triggered, dtype=bool), free_linked])
    linked_order = np.concatenate([about, nearest])
    chronological = np.lexsort((owner, day))
    owner, day, linked, linked_order = (
        owner[chronological],
        day[chronological],
        linked[chronological],
        linked_order[chronological],
    )
    trouble = pop.trouble(owner, day, end)
    age = end - day

    # What a ticket is about follows what went wrong with its order.
    what_happened = np.where(linked, problem[linked_order], "fine")
    weights_linked = np.stack(
        [
            0.3 + 4.0 * np.isin(what_happened, ["late", "not_arrived"]),  # delivery
            0.2 + 4.0 * np.isin(what_happened, ["returned", "cancelled"]),  # refund
            0.8 + 1.0 * (what_happened == "returned"),  # product
            np.zeros(count),  # account
            0.2 + 4.0 * (what_happened == "payment_failed"),  # payment
            np.zeros(count),  # other
        ],
        axis=1,
    )
    weights_unlinked = np.tile([0.0, 0.0, 0.25, 0.35, 0.15, 0.3], (count, 1))
    category = _pick_rows(rng, np.where(linked[:, None], weights_linked, weights_unlinked))

    # Drifting customers' tickets stay open; the newest tickets are still being handled.
    unresolved_chance = np.clip(
        0.05 + 1.1 * trouble + np.where(age < 3, 0.35, np.where(age < 14, 0.08, 0.0)), 0.0, 0.95
    )
    unresolved = rng.random(count) < unresolved_chance
    escalated = unresolved & (rng.random(count) < 0.15 + 0.5 * trouble)
    in_progress = unresolved & ~escalated & (rng.random(count) < 0.45)
    closed = ~unresolved & (age > 5) & (rng.random(count) < 0.55)
    status = np.select(
        [escalated, in_progress, unresolved, closed], ["escalated", "in_progress", "open", "closed"], "resolved"
    ).astype(object)
    escalation = escalated | (~unresolved & (rng.random(count) < 0.06 + 0.25 * trouble))
    category_names = np.array(TICKET_CATEGORIES, dtype=object)[category]
    teams = np.array([ESCALATION_TEAMS[name] for name in TICKET_CATEGORIES], dtype=object)[category]

    urgency = rng.normal(0.0, 1.0, size=count) + 1.5 * trouble + 0.5 * np.isin(category, [0, 4]) + 0.8 * escalation
    priority = np.digitize(urgency, [-0.4, 0.7, 1.6])
    channel_weights = np.stack(
        [np.full(count, 0.35), np.full(count, 0.35), np.full(count, 0.2), 0.1 + 0.25 * trouble], axis=1
    )
    channel = _pick_rows(rng, channel_weights)

    agent_count = int(np.clip(pop.count // 25, 10, 200))
    agents = np.array([f"AG{number:03d}" for number in range(1, agent_count + 1)], dtype=object)
    assigned = agents[rng.integers(0, agent_count, size=count)]
    assigned = np.where((status == "open") & (rng.random(count) < 0.6), None, assigned).astype(object)  # type: ignore[call-overload]  # numpy's stubs reject this array idiom (np.where with None, tuple from nonzero); behaviour is tested

    hours = rng.lognormal(np.log(18), 0.9, size=count) * (1 + 1.5 * trouble)
    hours = np.round(np.clip(hours, 0.1, np.maximum(age * 24, 0.1)), 1)  # type: ignore[assignment]  # numpy's stubs reject this array idiom (np.where with None, tuple from nonzero); behaviour is tested

    sentiment = (
        0.35
        - 0.25 * (what_happened != "fine")
        - 1.0 * trouble
        - 0.25 * unresolved
        - 0.15 * escalation
        + rng.normal(0.0, 0.28, size=count)
    )
    sentiment = np.round(np.clip(sentiment, -1.0, 1.0), 2)
    csat = np.clip(np.round(3.1 + 1.9 * sentiment - 0.4 * unresolved + rng.normal(0, 0.6, size=count)), 1, 5)
    csat = csat.astype(np.int64)

    linked_ids = np.where(linked, orders.ids[linked_order], None)
    products = _ids("P", FIRST_PRODUCT, len(CATEGORIES) * PRODUCTS_PER_CATEGORY)
    messages = _ticket_messages(
        rng,
        category_names=category_names,
        what_happened=what_happened,
        order_ids=linked_ids,  # type: ignore[arg-type]  # numpy's stubs reject this array idiom (np.where with None, tuple from nonzero); behaviour is tested
        product_ids=products[orders.first_product[linked_order]],
        estimated=clock.dates(orders.estimated_day[linked_order]),
        late_days=np.nan_to_num(orders.delay[linked_order]).astype(np.int64),
        language=pop.language[owner],
    )
    summary_choice = rng.integers(0, 3, size=count)
    summaries = [
        None if open_ else TICKET_SUMMARIES[name][choice]
        for open_, name, choice in zip(
            unresolved.tolist(), category_names.tolist(), summary_choice.tolist(), strict=True
        )
    ]

    frame = _frame(
        "support_tickets",
        ticket_id=_ids("T", 700_000, count),
        customer_id=pop.ids[owner],
        order_id=linked_ids.astype(object),  # type: ignore[attr-defined]  # numpy's stubs reject this array idiom (np.where with None, tuple from nonzero); behaviour is tested
        created_at=clock.timestamps(day),
        channel=np.array(TICKET_CHANNELS, dtype=object)[channel],
        category=category_names,
        priority=np.array(TICKET_PRIORITIES, dtype=object)[priority],
        assigned_agent_id=assigned,
        status=status,
        resolution_time_hours=_nullable(hours, ~unresolved),
        escalation=np.where(escalation, "Y", "N").astype(object),
        escalated_to=np.where(escalation, teams, None).astype(object),  # type: ignore[attr-defined]  # numpy's stubs reject this array idiom (np.where with None, tuple from nonzero); behaviour is tested
        sentiment_score=sentiment,
        initial_message=messages,
        final_message_summary=np.array(summaries, dtype=object),
        csat_score=csat,
    )
    return _Tickets(owner=owner, day=day, category=category, unresolved=unresolved, csat=csat, frame=frame)


def _order_problems(orders: _Orders) -> np.ndarray:
    """What went wrong with each order, as a customer would complain about it."""
    arrived = ~np.isnan(orders.actual_day)
    return np.select(
        [
            orders.last_attempt_failed,
            orders.status == "cancelled",
            orders.status == "returned",
            arrived & (np.nan_to_num(orders.delay) > 0),
            ~arrived,
        ],
        ["payment_failed", "cancelled", "returned", "late", "not_arrived"],
        "fine",
    )


def _ticket_messages(
    rng: np.random.Generator,
    *,
    category_names: np.ndarray,
    what_happened: np.ndarray,
    order_ids: np.ndarray,
    product_ids: np.ndarray,
    estimated: np.ndarray,
    late_days: np.ndarray,
    language: np.ndarray,
) -> np.ndarray:
    count = len(category_names)
    choice = rng.integers(0, 1_000, size=count).tolist()
    native = (rng.random(count) < NATIVE_MESSAGE_SHARE).tolist()
    messages = []
    for name, happened, order_id, product_id, estimated_date, late, code, pick, in_own_language in zip(
        category_names.tolist(),
        what_happened.tolist(),
        order_ids.tolist(),
        product_ids.tolist(),
        estimated.tolist(),
        late_days.tolist(),
        language.tolist(),
        choice,
        native,
        strict=True,
    ):
        translations = TICKET_MESSAGES_NATIVE.get(code)
        if (
            in_own_language
            and translations is not None
            and (order_id is not None or name not in ("delivery", "refund"))
        ):
            template = translations.get(name, translations["other"])
        elif order_id is not None:
            by_outcome = TICKET_MESSAGES_ABOUT_AN_ORDER[name]
            templates = by_outcome.get(happened, by_outcome["any"])
            template = templates[pick % len(templates)]
        else:
            templates = TICKET_MESSAGES_WITHOUT_ORDER[name]
            template = templates[pick % len(templates)]
        messages.append(
            template.format(
                order_id=order_id,
                product_id=product_id,
                estimated=estimated_date,
                late_days=f"{late} day{'' if late == 1 else 's'}",
            )
        )
    return np.array(messages, dtype=object)


# --- NPS -------------------------------------------------------------------------------------------


@dataclass
class _Nps:
    owner: np.ndarray
    day: np.ndarray
    frame: pd.DataFrame


def _nps(rng: np.random.Generator, pop: _Population, clock: _Clock, count: int) -> _Nps:
    end = clock.end
    rates = _rates(pop, np.ones(pop.count), 0.4)
    mass = pop.phase_lengths(end) * rates
    owner = _owners(rng, pop.propensity**0.3 * mass.sum(axis=1), count)
    day = _at_time_of_day(rng, _activity_days(rng, pop, owner, mass, rates))
    chronological = np.lexsort((owner, day))
    owner, day = owner[chronological], day[chronological]

    # Scores sink towards detractor as a customer's drift shows, further once they have left.
    gone = day >= pop.stop_day[owner]
    mean = 8.4 - 0.8 * pop.drift[owner] - 6.0 * pop.trouble(owner, day, end) - 1.5 * gone
    score = np.clip(np.round(mean + rng.normal(0.0, 1.5, size=count)), 0, 10).astype(np.int64)

    kind = np.where(score >= 9, "promoter", np.where(score >= 7, "passive", "detractor"))
    silent = rng.random(count) < np.where(kind == "passive", 0.5, 0.3)
    native = rng.random(count) < NATIVE_MESSAGE_SHARE
    pick = rng.integers(0, 1_000, size=count)
    feedback: list[str | None] = []
    for kind_name, is_silent, in_own_language, code, choice in zip(
        kind.tolist(), silent.tolist(), native.tolist(), pop.language[owner].tolist(), pick.tolist(), strict=True
    ):
        if is_silent:
            feedback.append(None)
        elif in_own_language and code in NPS_FEEDBACK_NATIVE:
            feedback.append(NPS_FEEDBACK_NATIVE[code][kind_name])
        else:
            texts = NPS_FEEDBACK[kind_name]
            feedback.append(texts[choice % len(texts)])

    frame = _frame(
        "nps_survey",
        survey_id=_ids("NPS", 1_300_000, count),
        customer_id=pop.ids[owner],
        date=clock.timestamps(day),
        nps_score=score,
        feedback_text=np.array(feedback, dtype=object),
    )
    return _Nps(owner=owner, day=day, frame=frame)


# --- customer events ---------------------------------------------------------------------------


@dataclass
class _Events:
    owner: np.ndarray
    day: np.ndarray
    frame: pd.DataFrame


def _events(rng: np.random.Generator, pop: _Population, clock: _Clock, orders: _Orders, count: int) -> _Events:
    end = clock.end
    product_names = _ids("P", FIRST_PRODUCT, len(CATEGORIES) * PRODUCTS_PER_CATEGORY)

    # Purchases mirror orders: a view and an add_to_cart of the first product shortly before.
    purchases = min(round(count * PURCHASE_EVENT_SHARE), len(orders.day), count // 3)
    bought = np.sort(rng.choice(len(orders.day), size=purchases, replace=False))
    order_day = orders.day[bought]
    cart_day = np.maximum(order_day - rng.uniform(1, 10, size=purchases) / 1440, np.floor(order_day))
    view_day = np.maximum(cart_day - rng.uniform(1, 20, size=purchases) / 1440, np.floor(order_day))
    purchase_owner = np.tile(orders.owner[bought], 3)
    purchase_day = np.concatenate([view_day, cart_day, order_day])
    purchase_type = np.repeat([0, 2, 5], purchases)  # view, add_to_cart, purchase
    purchase_product = np.tile(orders.first_product[bought], 3)
    purchase_session = np.tile(np.arange(purchases), 3)

    # Leaving signals: a drifter often stops opening the app, and some unsubscribe from email,
    # weeks into their drift and before they leave; a few settled customers do so too.
    leaving_owner, leaving_day, leaving_type = _leaving_signals(rng, pop, end, budget=max(0, count - 3 * purchases))

    # Browsing sessions: drifting customers browse less and less; churners go quiet.
    browsing = count - 3 * purchases - len(leaving_owner)
    sizes = _session_sizes(rng, browsing)
    sessions = len(sizes)
    noise = rng.lognormal(0.0, 0.25, size=pop.count)
    rates = _rates(pop, np.clip((1 - 0.95 * pop.drift) * noise, 0.03, 2.0), 0.02)
    mass = pop.phase_lengths(end) * rates
    session_owner = _owners(rng, pop.propensity**0.6 * mass.sum(axis=1), sessions)
    session_start = _at_time_of_day(rng, _activity_days(rng, pop, session_owner, mass, rates))
    session_of_event = np.repeat(np.arange(sessions), sizes)
    first_of_session = np.repeat(np.cumsum(sizes) - sizes, sizes)
    gaps = rng.exponential(100, size=browsing) / SECONDS_PER_DAY
    gaps[first_of_session] = 0.0
    elapsed = np.cumsum(gaps)
    offsets = elapsed - elapsed[first_of_session]
    browse_day = np.minimum(session_start[session_of_event] + offsets, clock.last_second)
    browse_owner = session_owner[session_of_event]
    browse_type = rng.choice(len(BROWSING_EVENT_TYPES), size=browsing, p=BROWSING_EVENT_WEIGHTS)
    favourite = rng.random(browsing) < 0.6
    browse_category = np.where(
        favourite,
        pop.preferred_category[browse_owner],
        rng.choice(len(CATEGORIES), size=browsing, p=CATEGORY_WEIGHTS),
    )
    browse_product = browse_category * PRODUCTS_PER_CATEGORY + rng.integers(0, PRODUCTS_PER_CATEGORY, size=browsing)
    no_product = (browse_type == 1) | ((browse_type == 4) & (rng.random(browsing) < 0.5))  # search, some promos
    browse_product = np.where(no_product, -1, browse_product)

    owner = np.concatenate([purchase_owner, browse_owner, leaving_owner])
    day = np.concatenate([purchase_day, browse_day, leaving_day])
    event_type = np.concatenate([purchase_type, browse_type, leaving_type])
    product = np.concatenate([purchase_product, browse_product, np.full(len(leaving_owner), -1)])
    # A leaving signal is reported by the provider, outside any browsing session: they share one
    # extra slot, numbered last, whose events carry no session id and no device.
    outside = purchases + sessions
    session = np.concatenate([purchase_session, purchases + session_of_event, np.full(len(leaving_owner), outside)])
    session_device = np.where(
        rng.random(purchases + sessions) < 0.8,
        pop.preferred_device[np.concatenate([orders.owner[bought], session_owner])],
        rng.integers(0, len(DEVICES), size=purchases + sessions),
    )
    device = np.append(session_device, 0)[session]
    chronological = np.lexsort((event_type, session, day))
    owner, day, event_type = owner[chronological], day[chronological], event_type[chronological]
    product, session, device = product[chronological], session[chronological], device[chronological]

    # Session ids numbered in order of first appearance; a few events come without one.
    present, first_seen = np.unique(session, return_index=True)
    session_number = np.zeros(outside + 1, dtype=np.int64)
    session_number[present[np.argsort(first_seen, kind="stable")]] = np.arange(len(present))
    session_names = _ids("S", 5_000_000, outside + 1)[session_number]
    reported = session == outside
    untracked = np.append(rng.random(purchases + sessions) < 0.02, True)[session]
    device_names = np.where(reported, None, np.array(DEVICES, dtype=object)[device])

    frame = _frame(
        "customer_events",
        event_id=_ids("E", 1_000_000, len(day)),
        customer_id=pop.ids[owner],
        event_type=np.array((*BROWSING_EVENT_TYPES, "purchase", *LEAVING_EVENT_TYPES), dtype=object)[event_type],
        event_time=clock.timestamps(day),
        product_id=np.where(product >= 0, product_names[np.maximum(product, 0)], None).astype(object),  # type: ignore[attr-defined]  # numpy's stubs reject this array idiom (np.where with None, tuple from nonzero); behaviour is tested
        session_id=np.where(untracked, None, session_names[session]).astype(object),  # type: ignore[attr-defined]  # numpy's stubs reject this array idiom (np.where with None, tuple from nonzero); behaviour is tested
        device=np.where(untracked & ((rng.random(len(day)) < 0.5) | reported), None, device_names).astype(object),  # type: ignore[call-overload]  # numpy's stubs reject this array idiom (np.where with None, tuple from nonzero); behaviour is tested
    )
    return _Events(owner=owner, day=day, frame=frame)


def _leaving_signals(
    rng: np.random.Generator, pop: _Population, end: int, *, budget: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Owners, days and type codes (after the browsing types and purchase) of leaving events.

    Each type is emitted once at most per customer: by a drifter with a chance that grows with
    their drift, LEAVING_SIGNAL_DAYS into the drift and before they leave; by anyone else rarely,
    at any time. At most `budget` rows (the sheet's size is kept)."""
    owners, days, types = [], [], []
    first_code = len(BROWSING_EVENT_TYPES) + 1
    for offset, (name, drifter_chance, settled_chance) in enumerate(LEAVING_SIGNAL_CHANCES):
        del name
        drifting = pop.drift > 0.4
        chance = np.where(drifting, drifter_chance * pop.drift, settled_chance)
        day = np.where(
            drifting,
            pop.bend_day + rng.uniform(*LEAVING_SIGNAL_DAYS, size=pop.count),
            pop.active_from + rng.random(pop.count) * (pop.stop_day - pop.active_from),
        )
        emits = (rng.random(pop.count) < chance) & (day < np.minimum(pop.stop_day, end - 1 / SECONDS_PER_DAY))
        emits &= day > pop.active_from
        owners.append(np.flatnonzero(emits))
        days.append(day[emits])
        types.append(np.full(int(emits.sum()), first_code + offset))
    owner, day, code = np.concatenate(owners), np.concatenate(days), np.concatenate(types)
    keep = np.sort(rng.permutation(len(owner))[:budget])
    return owner[keep], _at_time_of_day(rng, day[keep]), code[keep]


def _session_sizes(rng: np.random.Generator, total: int) -> np.ndarray:
    """Events per browsing session (1 + geometric), adding up to exactly `total`."""
    if total <= 0:
        return np.zeros(0, dtype=np.int64)
    sizes = rng.geometric(0.4, size=total // 2 + 10)
    while sizes.sum() < total:  # practically never runs: the mean size is 2.5
        sizes = np.concatenate([sizes, rng.geometric(0.4, size=total // 2 + 10)])
    cumulative = np.cumsum(sizes)
    last = int(np.searchsorted(cumulative, total))
    sizes = sizes[: last + 1].copy()
    sizes[-1] -= int(cumulative[last] - total)
    return sizes


# --- customers and churn labels --------------------------------------------------------------


def _customers(
    rng: np.random.Generator,
    pop: _Population,
    clock: _Clock,
    seed: int,
    orders: _Orders,
    *,
    activity: tuple[_Orders | _Tickets | _Nps | _Events, ...],
) -> pd.DataFrame:
    count = pop.count
    end = clock.end
    first_name, last_name, latin = _names(rng, pop, seed)
    email = _emails(rng, pop, first_name, last_name, latin)

    # Lifetime value: what they spent, with the workbook's loose relation (not the sum).
    kept = (orders.status != "cancelled") & ~orders.last_attempt_failed
    spent = np.bincount(orders.owner, weights=orders.total * kept, minlength=count)
    order_count = np.bincount(orders.owner, minlength=count)
    total_spent = np.bincount(orders.owner, weights=orders.total, minlength=count)
    tenure = end - pop.signup_day
    lifetime_value = np.round(spent * rng.lognormal(0.1, 0.3, size=count) + tenure * rng.uniform(0, 0.2, count), 2)
    mean_order = np.where(order_count > 0, total_spent / np.maximum(order_count, 1), pop.spend * 60)
    avg_order_value = np.round(mean_order * rng.lognormal(0.0, 0.08, size=count), 2)

    value_score = np.log1p(lifetime_value)
    segment = _by_rank(value_score + rng.normal(0, 0.35, size=count), SEGMENT_SHARES)
    tier = _by_rank(value_score + rng.normal(0, 0.45, size=count), LOYALTY_TIER_SHARES)

    latest = np.full(count, -1.0)
    for rows in activity:
        np.maximum.at(latest, rows.owner, np.floor(rows.day))
    latest = np.where(latest < 0, pop.signup_day, latest)
    last_active = np.minimum(latest + (rng.random(count) < 0.3), end - 1)

    opt_in = rng.random(count) < 0.7 - 0.15 * pop.drift
    return _frame(
        "customers",
        customer_id=pop.ids,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=_phones(rng, pop),
        signup_date=clock.dates(pop.signup_day),
        country=np.array(COUNTRIES, dtype=object)[pop.country],
        city=pop.city,
        segment=np.array(SEGMENTS, dtype=object)[segment],
        lifetime_value=lifetime_value,
        avg_order_value=avg_order_value,
        preferred_category=np.array(CATEGORIES, dtype=object)[pop.preferred_category],
        last_active_date=clock.dates(last_active),
        loyalty_tier=np.array(LOYALTY_TIERS, dtype=object)[tier],
        opt_in_marketing=opt_in,
        language=pop.language,
    )


def _by_rank(score: np.ndarray, shares: tuple[float, ...]) -> np.ndarray:
    """Class 0 for the top `shares[0]` of scores, 1 for the next share, and so on."""
    rank_from_top = np.empty(len(score))
    rank_from_top[np.argsort(-score, kind="stable")] = np.arange(len(score)) / max(len(score), 1)
    return np.minimum(np.searchsorted(np.cumsum(shares), rank_from_top, side="right"), len(shares) - 1)


def _churn_labels(
    rng: np.random.Generator,
    pop: _Population,
    clock: _Clock,
    orders: _Orders,
    payments: _Payments,
    tickets: _Tickets,
) -> pd.DataFrame:
    count = pop.count

    # The reason follows what went wrong for this customer where something did.
    def per_customer(owner: np.ndarray, flags: np.ndarray) -> np.ndarray:
        return np.bincount(owner, weights=flags.astype(float), minlength=count)

    unresolved = per_customer(tickets.owner, tickets.unresolved)
    unhappy = per_customer(tickets.owner, tickets.csat <= 2)
    delayed = per_customer(orders.owner, np.nan_to_num(orders.delay) >= 2)
    failed = per_customer(payments.owner, payments.failed)
    returned = per_customer(orders.owner, orders.status == "returned")
    product_tickets = per_customer(tickets.owner, tickets.category == TICKET_CATEGORIES.index("product"))
    scores = np.stack(
        [
            0.3 + 1.0 * unresolved + 0.5 * unhappy,  # poor_support
            0.3 + 0.6 * delayed,  # delivery_delay
            0.4 + 0.6 * failed,  # price
            0.3 + 0.8 * returned + 0.5 * product_tickets,  # product_quality
            np.full(count, 0.8),  # better_competitor
        ],
        axis=1,
    )
    reason = np.array(CHURN_REASONS, dtype=object)[_pick_rows(rng, scores)]

    logit = -2.2 + 3.8 * pop.drift + 0.9 * pop.is_churn + rng.normal(0.0, 0.8, size=count)
    predicted = np.round(1 / (1 + np.exp(-logit)), 3)
    churned = pop.is_churn
    return _frame(
        "churn_labels",
        customer_id=pop.ids,
        is_churn=churned.astype(np.int64),
        churn_date=np.where(churned, clock.dates(pop.stop_day), None).astype(object),  # type: ignore[call-overload]  # numpy's stubs reject this array idiom (np.where with None, tuple from nonzero); behaviour is tested
        churn_reason=np.where(churned, reason, None).astype(object),  # type: ignore[attr-defined]  # numpy's stubs reject this array idiom (np.where with None, tuple from nonzero); behaviour is tested
        predicted_churn_score=_nullable(predicted, rng.random(count) >= 0.01),
    )


# --- names, emails, phones -------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _name_pools(seed: int) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """A few hundred first and last names per locale, built once per seed with Faker."""
    pools = {}
    for locale in NAME_LOCALES:
        if locale == TELUGU:
            pools[locale] = (TELUGU_FIRST_NAMES, TELUGU_LAST_NAMES)
            continue
        fake = Faker(locale)
        fake.seed_instance(seed)
        firsts = _clean_names(fake.first_name() for _ in range(NAME_POOL_SIZE))
        lasts = _clean_names(fake.last_name() for _ in range(NAME_POOL_SIZE))
        pools[locale] = (firsts, lasts)
    return pools


def _clean_names(names: Iterable[str]) -> tuple[str, ...]:
    # Faker's data has the odd stray punctuation (a ";" inside a Tamil name): leave those out.
    def is_name(name: str) -> bool:
        return bool(name) and all(
            character.isalpha() or unicodedata.category(character).startswith("M") or character in " -'"
            for character in name
        )

    return tuple(dict.fromkeys(name.strip() for name in names if is_name(name.strip())))


def _names(rng: np.random.Generator, pop: _Population, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First names, last names, and whether each name is in Latin script."""
    count = pop.count
    locale = np.empty(count, dtype=object)
    for code, (native_locale, share) in NATIVE_NAMES_BY_LANGUAGE.items():
        members = np.flatnonzero(pop.language == code)
        locale[members] = np.where(rng.random(len(members)) < share, native_locale, "en_IN")
    for index, country in enumerate(COUNTRIES):
        members = np.flatnonzero((pop.country == index) & (pop.language == "en"))
        choices = ENGLISH_NAMES_BY_COUNTRY[country]
        locale[members] = np.array(list(choices), dtype=object)[
            rng.choice(len(choices), size=len(members), p=list(choices.values()))
        ]

    pools = _name_pools(seed)
    first_name = np.empty(count, dtype=object)
    last_name = np.empty(count, dtype=object)
    for name in NAME_LOCALES:
        members = np.flatnonzero(locale == name)
        firsts, lasts = pools[name]
        first_name[members] = np.array(firsts, dtype=object)[rng.integers(0, len(firsts), size=len(members))]
        last_name[members] = np.array(lasts, dtype=object)[rng.integers(0, len(lasts), size=len(members))]
    latin = ~np.isin(locale, NATIVE_SCRIPT_LOCALES)
    return first_name, last_name, latin


@functools.lru_cache(maxsize=4096)
def _ascii_letters(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z]", "", folded.lower())


def _emails(
    rng: np.random.Generator, pop: _Population, first_name: np.ndarray, last_name: np.ndarray, latin: np.ndarray
) -> np.ndarray:
    """ASCII, unique, on example domains: first.last@ for Latin names, user<digits>@ otherwise."""
    count = pop.count
    numbers = rng.integers(100_000, 1_000_000, size=count).tolist()
    domains = np.where(
        pop.country == COUNTRIES.index("India"),
        INDIAN_EMAIL_DOMAIN,
        np.array(EMAIL_DOMAINS, dtype=object)[rng.integers(0, len(EMAIL_DOMAINS), size=count)],
    ).tolist()
    locals_ = []
    for first, last, is_latin, number in zip(
        first_name.tolist(), last_name.tolist(), latin.tolist(), numbers, strict=True
    ):
        first_part, last_part = _ascii_letters(first), _ascii_letters(last)
        locals_.append(f"{first_part}.{last_part}" if is_latin and first_part and last_part else f"user{number}")
    # Local parts are letters and dots, or "user" and digits: a ".<n>" suffix cannot collide.
    emails = pd.Series([f"{local}@{domain}" for local, domain in zip(locals_, domains, strict=True)], dtype=object)
    repeat = emails.groupby(emails, sort=False).cumcount().to_numpy()
    return np.array(
        [
            email if n == 0 else f"{local}.{n + 1}@{domain}"
            for email, n, local, domain in zip(emails.tolist(), repeat.tolist(), locals_, domains, strict=True)
        ],
        dtype=object,
    )


def _phones(rng: np.random.Generator, pop: _Population) -> np.ndarray:
    """E.164 digits without "+", as integers; reserved fictional ranges where a country has one."""
    count = pop.count
    tail = rng.integers(0, 10**9, size=count)
    by_country = {
        "India": 91 * 10**10 + rng.integers(6, 10, size=count) * 10**9 + tail,
        "Singapore": 65 * 10**8 + rng.integers(8, 10, size=count) * 10**7 + tail % 10**7,
        "USA": (1 * 10**10 + rng.integers(201, 990, size=count) * 10**7 + 555 * 10**4 + 100 + tail % 100),
        "UK": 447700900000 + tail % 1000,
        "Australia": 61491570000 + tail % 1000,
        "UAE": 971 * 10**9 + 5 * 10**8 + rng.choice([0, 2, 4, 5, 6, 8], size=count) * 10**7 + tail % 10**7,
    }
    phone = np.zeros(count, dtype=np.int64)
    for index, name in enumerate(COUNTRIES):
        phone = np.where(pop.country == index, by_country[name], phone)
    present = rng.random(count) >= 0.01
    return np.array(
        [value if keep else None for value, keep in zip(phone.tolist(), present.tolist(), strict=True)], dtype=object
    )


# --- building frames ------------------------------------------------------------------------


def _ids(prefix: str, first: int, count: int) -> np.ndarray:
    return np.array([f"{prefix}{number}" for number in range(first, first + count)], dtype=object)


def _nullable(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Values as Python objects, None where not present."""
    out = values.astype(object)
    out[~present] = None
    return out


def _frame(sheet_name: str, **columns: np.ndarray) -> pd.DataFrame:
    """A frame with exactly the sheet's columns in contract order; text stays `object` (None, not NaN)."""
    names = SHEETS_BY_NAME[sheet_name].column_names
    if tuple(columns) != names:
        raise AssertionError(f"{sheet_name}: built {tuple(columns)}, the contract says {names}")
    return pd.DataFrame(
        {
            name: pd.Series(values, dtype=object) if values.dtype == object else pd.Series(values)
            for name, values in columns.items()
        }
    )
