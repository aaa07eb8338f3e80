from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from customers.scan import churn_model_risk_source, churn_model_train

METRICS = (
    ("roc_auc", "ROC-AUC", "{:.3f}"),
    ("pr_auc", "PR-AUC", "{:.3f}"),
    ("brier", "Brier score", "{:.3f}"),
    ("precision_at_10", "precision, top 10 %", "{:.1%}"),
    ("lift_at_10", "lift, top 10 %", "{:.2f}x"),
    ("base_rate", "churn rate", "{:.1%}"),
)


def parse_date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text!r} is not a date; give it as YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "Train a churn model on churn_labels and measure it with stratified cross-validation beside the "
        "health score alone. The scan uses the model only if it beats the health score (and its AUC is 0.6 or more)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--as-of", dest="as_of", help="compute features as of this date, YYYY-MM-DD (default: now)")

    def handle(self, *args: Any, as_of: str | None, **options: Any) -> None:
        model = churn_model_train(as_of=parse_date(as_of, "--as-of"), progress=self.stdout.write)
        self.stdout.write(f"Held-out figures over {model.labelled:,} labelled customers ({model.positives:,} churned):")
        self.stdout.write(f"  {'':22} {'model':>10} {'health score':>13}")
        for key, label, shown in METRICS:
            model_value, baseline_value = model.metrics.get(key), model.baseline_metrics.get(key)
            self.stdout.write(f"  {label:22} {_format(shown, model_value):>10} {_format(shown, baseline_value):>13}")
        self.stdout.write(model.reason)
        self.stdout.write(churn_model_risk_source(model))


def _format(pattern: str, value: float | None) -> str:
    return "-" if value is None else pattern.format(value)
