from __future__ import annotations

import random
import textwrap
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.scenarios import SCENARIOS, scenario_customer, scenario_trigger
from interventions.agents.llm import ModelConfig
from interventions.language import language_label
from interventions.models import Origin
from interventions.services.drafting import DraftOutcome, intervention_draft
from procx_site.formats import money

RULE = "=" * 78


class Command(BaseCommand):
    help = (
        "Show the agent pipeline (Context -> Pattern -> Decision -> Empathy) on the five demo scenarios, "
        "each for a real customer picked by segment: the customer, the language, the patterns, the decision "
        "and why, the message and its empathy score. Each becomes an intervention pending review."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--count", type=int, default=5, help="how many scenarios to run, 1-5 (default 5)")
        parser.add_argument("--seed", type=int, default=None, help="pick the same customers every time")

    def handle(self, *args: Any, count: int, seed: int | None, **options: Any) -> None:
        if not 1 <= count <= len(SCENARIOS):
            raise CommandError(f"--count must be between 1 and {len(SCENARIOS)} (got {count})")
        rng = random.Random(seed)
        self.stdout.write(f"Agent backend: {ModelConfig.from_settings().describe()}")
        chosen: list[str] = []
        now = timezone.now()
        for number, scenario in enumerate(SCENARIOS[:count], start=1):
            customer = scenario_customer(scenario=scenario, rng=rng, exclude=chosen)
            if customer is None:
                raise CommandError(
                    "there are no customers to run the demo for: import a workbook first "
                    "(make run does, or manage.py import_workbook)"
                )
            chosen.append(customer.pk)
            outcome = intervention_draft(
                customer_id=customer.pk,
                origin=Origin.DEMO,
                trigger=scenario_trigger(scenario=scenario, customer=customer),
                as_of=now,
                scenario=scenario.name,
            )
            self._show(number, scenario.name, scenario.title, outcome)
        self.stdout.write("")
        self.stdout.write(f"{RULE}\nThe drafts wait for review in the queue: /queue/ on the web app.")

    def _show(self, number: int, name: str, title: str, outcome: DraftOutcome) -> None:
        write = self.stdout.write
        result = outcome.result
        if result is None:
            write(f"\nScenario {number}: {name} ({title}): skipped, {outcome.skipped}")
            return
        context, decision = result.context, result.decision
        profile, health = context.profile, context.health
        write("")
        write(RULE)
        write(f"Scenario {number}: {name} ({title})")
        write(RULE)
        write(f"Trigger: {context.trigger.description}")
        write("")
        write(f"Customer  {profile.full_name} ({profile.customer_id}), {profile.city or '-'}, {profile.country or '-'}")
        write(
            f"          {profile.segment}, {profile.loyalty_tier} tier, lifetime value {money(profile.lifetime_value)}, "
            f"customer since {profile.signup_date:%Y-%m-%d}"
        )
        write(
            f"          phone {'on file' if profile.has_phone else 'none'}; "
            f"marketing {'opted in' if profile.opt_in_marketing else 'opted out'}; "
            f"profile language {language_label(profile.profile_language) if profile.profile_language else 'none'}"
        )
        if health.score is not None:
            risk = f"{health.churn_risk:.0%}" if health.churn_risk is not None else "unknown"
            source = {"model": "churn model", "health": "health score"}.get(health.risk_source, health.risk_source)
            write(f"          health {health.score:.1f}/100 ({health.band}), churn risk {risk} (from the {source})")
        else:
            write("          not scored yet (the first scan scores every customer)")
        write("")
        write(f"Language  {language_label(context.language.code)}: {context.language.note}")
        write("")
        write("Patterns")
        if not result.patterns.patterns:
            write("  none found in the data")
        for pattern in result.patterns.patterns:
            write(f"  {pattern.label} ({pattern.severity})")
            for line in pattern.evidence:
                write(textwrap.fill(line, width=96, initial_indent="    - ", subsequent_indent="      "))
        write("")
        offer = decision.offer or "no offer"
        write(
            f"Decision  {decision.action.replace('_', ' ')} by {decision.channel}, priority {decision.priority}, {offer}"
        )
        for reason in decision.reasons:
            write(textwrap.fill(reason, width=96, initial_indent="    - ", subsequent_indent="      "))
        for correction in decision.corrections:
            write(f"    - policy correction: {correction}")
        write(f"Escalate  {'yes: ' + decision.escalation_reason if decision.escalate else 'no'}")
        write("")
        message, empathy = result.message, result.empathy
        if message is None or empathy is None:
            write(f"No message: {outcome.skipped}")
            return
        write(f"Message   ({language_label(message.language)}, {decision.channel}, written by {result.backend})")
        if message.subject:
            write(f"  Subject: {message.subject}")
        for line in message.body.splitlines():
            write(f"  {line}")
        write("")
        write(f"Empathy   {empathy.total}/100")
        for item in empathy.as_dict()["dimensions"]:
            write(f"    {item['label']:<58} {item['score'] * item['weight']:>5.1f}/{item['weight']}  {item['reason']}")
        write("")
        if outcome.intervention is not None:
            verb = "new" if outcome.created else ("updated" if outcome.updated else "unchanged")
            write(f"Intervention {outcome.intervention.pk} ({verb}), pending review.")
        else:
            write(f"No intervention: {outcome.skipped}")
