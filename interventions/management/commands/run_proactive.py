from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from customers.health import health_band
from customers.management.commands.train_churn_model import parse_date
from customers.models import ScanRun
from customers.scan import scan_scores_frame
from customers.selectors import at_risk_findings, selection_rule
from interventions.agents.llm import ModelConfig
from interventions.services.scans import proactive_scan_run
from procx_site.formats import money


class Command(BaseCommand):
    help = (
        "Run the proactive scan now: score every customer, then list the high-value customers at risk, "
        "ranked by value at risk (risk x lifetime value), with why each is at risk, and draft outreach "
        "for the top findings, pending staff review."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--as-of", dest="as_of", help="score as of this date, YYYY-MM-DD (default: now)")
        parser.add_argument(
            "--min-risk", type=float, default=None, help="churn risk above this, 0-1 (default: setting)"
        )
        parser.add_argument("--min-ltv", type=float, default=None, help="lifetime value above this (default: setting)")
        parser.add_argument("--top", type=int, default=10, help="describe the top N findings (default 10)")
        parser.add_argument(
            "--draft",
            type=int,
            default=None,
            help="draft interventions for the top N findings (default: PROCX_OUTREACH_CAPACITY; 0: none)",
        )
        parser.add_argument("--scores-csv", type=Path, help="also write every scored customer to this CSV file")

    def handle(
        self,
        *args: Any,
        as_of: str | None,
        min_risk: float | None,
        min_ltv: float | None,
        top: int,
        draft: int | None,
        scores_csv: Path | None,
        **options: Any,
    ) -> None:
        if min_risk is not None and not 0 <= min_risk <= 1:
            raise CommandError(f"--min-risk must be between 0 and 1 (got {min_risk})")
        if min_ltv is not None and min_ltv < 0:
            raise CommandError(f"--min-ltv must be 0 or more (got {min_ltv})")
        if top < 0:
            raise CommandError(f"--top must be 0 or more (got {top})")
        if draft is not None and draft < 0:
            raise CommandError(f"--draft must be 0 or more (got {draft})")
        self.stdout.write(f"Outreach is drafted by {ModelConfig.from_settings().describe()}")
        scan, outcomes = proactive_scan_run(
            as_of=parse_date(as_of, "--as-of"),
            min_risk=min_risk,
            min_ltv=min_ltv,
            trigger=ScanRun.Trigger.COMMAND,
            top_n=draft,
            progress=self.stdout.write,
        )
        # The scan just finished is the latest, so its selection is the at-risk list every page shows.
        findings = at_risk_findings(scan)
        self.stdout.write(
            f"Scanned {scan.customers_scanned:,} customers as of {scan.as_of:%Y-%m-%d %H:%M} UTC in "
            f"{scan.duration_seconds:.1f} s. At risk: {len(findings):,} customers, the scan's selection "
            f"({selection_rule(scan)}), {money(scan.value_at_risk)} of lifetime value at risk; "
            "the at-risk list the dashboard, the queue, the customer pages and the admin show."
        )
        self.stdout.write(scan.risk_source)
        self.stdout.write(scan.selection_summary())
        if findings:
            self.stdout.write("")
            self.stdout.write(
                f"{'#':>4}  {'customer':<10} {'name':<24} {'segment':<10} {'LTV':>12} {'health':>16} {'risk':>6} "
                f"{'value at risk':>14}"
            )
            for finding in findings:
                customer = finding.customer
                health = f"{finding.health_score:.1f} {health_band(finding.health_score)}"
                self.stdout.write(
                    f"{finding.rank:>4}  {customer.customer_id:<10} {customer.full_name[:24]:<24} "
                    f"{customer.segment:<10} {finding.lifetime_value:>12,.2f} {health:>16} "
                    f"{finding.churn_risk:>6.0%} {finding.value_at_risk:>14,.2f}"
                )
            for finding in findings[:top]:
                self.stdout.write("")
                self.stdout.write(f"#{finding.rank} {finding.customer}: {finding.description}")
        if outcomes:
            self.stdout.write("")
            created = sum(outcome.created for outcome in outcomes)
            updated = sum(outcome.updated for outcome in outcomes)
            skipped = [outcome for outcome in outcomes if outcome.skipped]
            self.stdout.write(
                f"Drafted outreach for the top {len(outcomes)} findings: {created} new, {updated} updated, "
                f"{len(skipped)} skipped; pending review in the queue (/queue/ on the web app)."
            )
            for outcome in skipped:
                self.stdout.write(f"  {outcome.summary}")
        if scores_csv is not None:
            try:
                scan_scores_frame(scan).to_csv(scores_csv, index=False)
            except OSError as error:
                raise CommandError(f"cannot write {scores_csv}: {error}") from error
            self.stdout.write(f"Wrote every scored customer to {scores_csv}")
