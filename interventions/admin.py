"""Interventions in the back office: browse the drafts, their reasons and the agent trace.

Reviewing (approve, reject, edit, send) has its own staff pages; here the pipeline's record
is read-only, with its audit trail and outbox, except that a reviewer may approve (and so
send) pending drafts in bulk, through the same service as the queue.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join

from customers.admin import CustomerAdmin
from customers.models import Customer
from customers.selectors import (
    at_risk_customer_ids,
    at_risk_rank,
    customer_at_risk,
    latest_finished_scan,
    selection_rule,
)
from interventions.agents.llm import ModelConfig
from interventions.models import REVIEW_PERMISSION, Activity, AgentStep, Intervention, OutboxMessage, Status
from interventions.services.review import Approval, interventions_approve
from procx_site.auth import signed_in_user


class AgentStepInline(admin.TabularInline):
    model = AgentStep
    extra = 0
    can_delete = False
    fields = ("position", "stage", "backend", "duration_ms", "error", "output_json")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="output")
    def output_json(self, step: AgentStep) -> str:
        return format_html(
            '<details><summary>show</summary><pre style="white-space: pre-wrap; max-width: 70em">{}</pre></details>',
            json.dumps(step.output, indent=2, ensure_ascii=False),
        )


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    can_delete = False
    fields = ("at", "action", "actor", "detail")
    readonly_fields = fields
    verbose_name_plural = "history (audit trail)"

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class OutboxInline(admin.TabularInline):
    model = OutboxMessage
    extra = 0
    can_delete = False
    fields = ("created_at", "channel", "recipient", "backend", "reference", "sent_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Intervention)
class InterventionAdmin(admin.ModelAdmin):
    list_display = (
        "customer",
        "at_risk_now",
        "status",
        "priority",
        "channel",
        "action",
        "language",
        "empathy_score",
        "value_at_risk",
        "escalate",
        "origin",
        "backend",
        "created_at",
    )
    list_filter = ("status", "priority", "channel", "origin", "language", "escalate", "customer__segment")
    list_select_related = ("customer",)
    search_fields = ("customer__customer_id", "customer__email", "customer__last_name", "subject")
    ordering = ("-value_at_risk",)
    date_hierarchy = "created_at"
    raw_id_fields = ("customer", "scan_finding", "event")
    inlines = [ActivityInline, OutboxInline, AgentStepInline]
    actions = ["approve_selected"]
    fieldsets = (
        (
            None,
            {"fields": ("customer", "status", "origin", "scan_finding", "event", "scenario", "trigger_description")},
        ),
        (
            "The customer when drafted",
            {"fields": ("health_score", "churn_risk", "risk_source", "lifetime_value", "value_at_risk")},
        ),
        ("Language", {"fields": ("language", "language_source", "language_detected", "language_note")}),
        ("Patterns", {"fields": ("patterns_list",)}),
        (
            "Decision",
            {
                "fields": (
                    "channel",
                    "action",
                    "offer",
                    "priority",
                    "escalate",
                    "escalation_reason",
                    "reasons_list",
                    "policy_corrections",
                )
            },
        ),
        ("Message", {"fields": ("subject", "body", "message_language", "backend", "empathy_table")}),
        (
            "Review",
            {
                "fields": (
                    "drafted_subject",
                    "drafted_body",
                    "edited_by",
                    "edited_at",
                    "reviewed_by",
                    "reviewed_at",
                    "rejection_reason",
                    "sent_at",
                    "send_error",
                    "created_at",
                )
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Intervention | None = None) -> list[str]:
        # The draft is a record of what the pipeline did; staff change it on the review pages,
        # where the edit is attributed to them and the empathy score recomputed.
        return [field for _, options in self.fieldsets for field in options["fields"]]  # type: ignore[misc]  # django-stubs types the fieldsets' fields loosely

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Intervention]:
        scan = latest_finished_scan()
        return super().get_queryset(request).annotate(at_risk_rank=at_risk_rank(scan, customer="customer_id"))

    @admin.display(description="customer at risk now", ordering="at_risk_rank")
    def at_risk_now(self, intervention: Intervention) -> str:
        """Whether the customer is in the latest scan's selection, whatever they were when drafted."""
        rank = getattr(intervention, "at_risk_rank", None)
        return f"at risk #{rank}" if rank is not None else "-"

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        config = ModelConfig.from_settings()
        if not config.enabled:
            self.message_user(request, f"Drafts are written by the {config.describe()}.", messages.INFO)
        return super().changelist_view(request, extra_context)

    @admin.display(description="patterns")
    def patterns_list(self, intervention: Intervention) -> str:
        if not intervention.patterns:
            return "none found"
        return format_html_join(
            "",
            "<p><strong>{}</strong> ({})<br>{}</p>",
            (
                (pattern["label"], pattern["severity"], " ".join(pattern["evidence"]))
                for pattern in intervention.patterns
            ),
        )

    @admin.display(description="why")
    def reasons_list(self, intervention: Intervention) -> str:
        return format_html_join("", "<li>{}</li>", ((reason,) for reason in intervention.decision_reasons)) or "-"

    @admin.display(description="empathy")
    def empathy_table(self, intervention: Intervention) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}/{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    item["label"],
                    round(item["score"] * item["weight"], 1),
                    item["weight"],
                    item["reason"],
                    item["evidence"],
                )
                for item in intervention.empathy_breakdown.get("dimensions", [])
            ),
        )
        return format_html("<p><strong>{}/100</strong></p><table>{}</table>", intervention.empathy_score, rows)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(REVIEW_PERMISSION)

    @admin.action(description="Approve and send the selected pending interventions", permissions=["review"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Intervention]) -> None:
        pending = list(queryset.filter(status=Status.PENDING_REVIEW).values_list("pk", flat=True))
        outcomes = interventions_approve(intervention_ids=pending, user=signed_in_user(request))
        sent = sum(1 for outcome in outcomes.values() if outcome.approval is Approval.SENT)
        failed = {pk: outcome for pk, outcome in outcomes.items() if outcome.approval is Approval.SEND_FAILED}
        self.message_user(request, f"Approved and sent {sent} intervention(s).", messages.SUCCESS)
        for pk, outcome in failed.items():
            self.message_user(
                request, f"Intervention {pk}: approved, but sending failed: {outcome.reason}", messages.WARNING
            )


# --- Customers: the at-risk list --------------------------------------------------------------
# The customer admin lives in customers/admin.py; the at-risk list is read here, where the
# staff pages read it (interventions.selectors), so the back office shows the same customers as
# "at risk" as the dashboard, the queue and the customer pages, and customers/ imports nothing
# from the layers above it.


class AtRiskListFilter(admin.SimpleListFilter):
    title = "at-risk list (latest scan)"
    parameter_name = "at_risk"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "At risk: in the latest scan's selection"), ("no", "Not in it")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Customer]) -> QuerySet[Customer]:
        selected = at_risk_customer_ids(latest_finished_scan())
        if self.value() == "yes":
            return queryset.filter(pk__in=selected)
        if self.value() == "no":
            return queryset.exclude(pk__in=selected)
        return queryset


class CustomerWithAtRiskAdmin(CustomerAdmin):
    list_display = (*CustomerAdmin.list_display[:2], "at_risk_shown", *CustomerAdmin.list_display[2:])  # type: ignore[assignment]  # subclass extends the parent admin's tuples; django-stubs infers fixed-length tuples
    list_filter = (AtRiskListFilter, *CustomerAdmin.list_filter)  # type: ignore[assignment]  # subclass extends the parent admin's tuples; django-stubs infers fixed-length tuples
    fieldsets = tuple(  # type: ignore[assignment]  # subclass extends the parent admin's tuples; django-stubs infers fixed-length tuples
        (name, {**options, "fields": ("at_risk_status", *options["fields"])})
        if name == "Health (latest scan)"
        else (name, options)
        for name, options in CustomerAdmin.fieldsets
    )
    readonly_fields = ("at_risk_status", *CustomerAdmin.readonly_fields)  # type: ignore[assignment]  # subclass extends the parent admin's tuples; django-stubs infers fixed-length tuples

    def get_queryset(self, request: HttpRequest) -> QuerySet[Customer]:
        return super().get_queryset(request).annotate(at_risk_rank=at_risk_rank(latest_finished_scan()))

    @admin.display(description="at risk (latest scan)", ordering="at_risk_rank")
    def at_risk_shown(self, customer: Customer) -> str:
        rank = getattr(customer, "at_risk_rank", None)
        return f"at risk #{rank}" if rank is not None else "-"

    @admin.display(description="at-risk list")
    def at_risk_status(self, customer: Customer) -> str:
        scan = latest_finished_scan()
        if scan is None:
            return "No scan has finished yet, so nobody is on the at-risk list."
        rule = selection_rule(scan)
        finding = customer_at_risk(customer.pk, scan)
        if finding is None:
            return f"Not at risk: not in the selection of the latest scan ({scan.as_of:%Y-%m-%d %H:%M} UTC; {rule})."
        return (
            f"At risk: number {finding.rank} in the selection of the latest scan "
            f"({scan.as_of:%Y-%m-%d %H:%M} UTC; {rule}). {finding.description}"
        )


admin.site.unregister(Customer)
admin.site.register(Customer, CustomerWithAtRiskAdmin)
