"""With a churn model in use, every trouble or leaving event still never lowers a customer's risk.

The model is fitted on labels drawn against every feature's direction (trouble 'predicts'
loyalty in its sample), so only the directions it is constrained to keep the risk honest. Each
event type is applied the way webhook processing applies it, to the shoppers of
test_event_semantics, one of them before their first NPS answer (a missing value filled in)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from customers.churn import FEATURE_DIRECTIONS, MODEL_FAMILIES, churn_model_dump, churn_model_fit
from customers.event_semantics import EVENT_SIGNALS, EventSignal, event_signal
from customers.models import ChurnModel, HealthScore
from customers.scan import customer_rescore
from events.processing import event_effects_apply
from tests.customers.test_churn import features_and_labels
from tests.customers.test_event_semantics import AS_OF, EVENT_AT, SHOPPERS, Shopper
from tests.customers.webhook_events import event_metadata, store_event

pytestmark = pytest.mark.django_db


@functools.cache
def adversarial_estimator(family: str) -> tuple[bytes, tuple[str, ...], int]:
    """Fitted once per family for the whole table: the model, its features and its churners."""
    features, _ = features_and_labels(800, seed=5)
    rng = np.random.default_rng(5)
    against = sum(
        -direction * (features[name] - features[name].mean()) / (features[name].std() or 1)
        for name, direction in FEATURE_DIRECTIONS.items()
        if direction
    ).fillna(0)
    labels = pd.Series((against + rng.normal(0, 1, len(features)) > 0).astype(float), index=features.index)
    estimator = churn_model_fit(features, labels, family=family)
    return churn_model_dump(estimator), tuple(features.columns), int(labels.sum())


def adversarial_model(family: str) -> ChurnModel:
    estimator, feature_names, positives = adversarial_estimator(family)
    return ChurnModel.objects.create(
        as_of=AS_OF,
        labelled=800,
        positives=positives,
        usable=True,
        metrics={"roc_auc": 0.8},
        feature_names=list(feature_names),
        estimator=estimator,
        horizon_days=60,
        family=family,
    )


def scored(shopper: Shopper) -> HealthScore:
    snapshot = customer_rescore(customer_id=shopper.customer.pk, as_of=AS_OF)
    assert snapshot.risk_source == "model"
    return snapshot


TROUBLE_AND_LEAVING = [
    name for name in EVENT_SIGNALS if event_signal(name) in (EventSignal.TROUBLE, EventSignal.LEAVING)
]
CASES = [
    # Every shopper kind the webhook semantics test uses would take minutes with a model each;
    # these two span what events write: an active buyer whose pending order is named, and a
    # customer who never ordered, each also before their first NPS answer.
    (shopper, first_answer)
    for shopper in ("active buyer, pending order named", "never ordered")
    for first_answer in (False, True)
]


@pytest.mark.parametrize("family", list(MODEL_FAMILIES))
@pytest.mark.parametrize(("shopper", "first_answer"), CASES)
@pytest.mark.parametrize("event_type", TROUBLE_AND_LEAVING)
def test_trouble_and_leaving_never_lower_the_models_risk(
    event_type: str, shopper: str, first_answer: bool, family: str
) -> None:
    adversarial_model(family)
    customer = SHOPPERS[shopper]()
    if first_answer:
        customer.customer.nps_responses.all().delete()
    before = scored(customer)
    data = event_metadata(event_type, order_id=customer.named_order, ticket_id=customer.ticket_id)
    event_effects_apply(event=store_event(customer.customer, event_type, data, at=EVENT_AT))
    after = scored(customer)
    assert after.churn_risk >= before.churn_risk - 1e-6, (before.churn_risk, after.churn_risk)
