from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from customers.churn import METRIC_DISPLAY, MODEL_FAMILIES
from customers.scan import churn_model_risk_source, churn_model_train

SHORT_NAMES = {"logistic_regression": "logistic", "gradient_boosting": "boosting"}


def parse_date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text!r} is not a date; give it as YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "Train a churn model on churn_labels, point in time: each labelled customer is measured "
        "PROCX_CHURN_HORIZON_DAYS before their outcome, and logistic regression and gradient boosting are "
        "compared with the health score alone on forward-in-time folds. The scan uses the best model only if "
        "it beats the health score (and its AUC is 0.6 or more)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--as-of", dest="as_of", help="train on what was known at this date, YYYY-MM-DD (default: now)"
        )

    def handle(self, *args: Any, as_of: str | None, **options: Any) -> None:
        model = churn_model_train(as_of=parse_date(as_of, "--as-of"), progress=self.stdout.write)
        held_out = model.metrics.get("labelled") or 0
        capacity = model.metrics.get("capacity_count") or model.baseline_metrics.get("capacity_count")
        self.stdout.write(
            f"Held-out figures over {int(held_out):,} of {model.labelled:,} labelled customers "
            f"({model.positives:,} churned), each measured {model.horizon_days} days before the outcome; "
            + (f"capacity: the top {int(capacity):,} of them." if capacity else "no capacity figure.")
        )
        families = [family for family in MODEL_FAMILIES if family in model.family_metrics]
        header = "".join(f"{SHORT_NAMES[family]:>11}" for family in families)
        self.stdout.write(f"  {'':36}{header} {'health score':>13}")
        for key, label, shown in METRIC_DISPLAY:
            values = "".join(f"{_format(shown, model.family_metrics[family].get(key)):>11}" for family in families)
            self.stdout.write(f"  {label:36}{values} {_format(shown, model.baseline_metrics.get(key)):>13}")
        if model.family:
            self.stdout.write(f"Chosen on the held-out folds: {MODEL_FAMILIES[model.family]}.")
        self.stdout.write(model.reason)
        self.stdout.write(churn_model_risk_source(model))


def _format(pattern: str, value: float | None) -> str:
    return "-" if value is None else pattern.format(value)
