"""Interventions: the outreach the agent pipeline drafts for one customer, and its trace."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from customers.models import MONEY, Customer, CustomerEvent, ScanFinding

# The permission that lets staff change outreach (approve, reject, edit, send); the Reviewers
# group holds it (interventions.apps).
REVIEW_PERMISSION = "interventions.review_intervention"


class Origin(models.TextChoices):
    SCAN = "scan", "Proactive scan"
    WEBHOOK = "webhook", "Webhook event"
    DEMO = "demo", "Demo scenario"


class Status(models.TextChoices):
    PENDING_REVIEW = "pending_review", "Pending review"
    APPROVED = "approved"
    REJECTED = "rejected"
    SENDING = "sending"  # claimed by one sender: nobody else sends it meanwhile
    SENT = "sent"
    FAILED = "failed"


class Channel(models.TextChoices):
    EMAIL = "email"
    SMS = "sms", "SMS"
    CALL = "call"


class Priority(models.TextChoices):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class InvalidTransition(Exception):
    """A status change the workflow does not allow, e.g. approving a rejected intervention."""


class Intervention(models.Model):
    """One drafted outreach to one customer, waiting for (or past) staff review.

    Everything the pipeline knew and decided is stored as it was when the draft was made,
    so a reviewer sees why, even after the customer's score has moved on. At most one
    intervention per customer and origin is pending review at a time (a database
    constraint), so re-running a scan updates or skips, never duplicates.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="interventions")
    origin = models.CharField(max_length=16, choices=Origin.choices, db_index=True)
    scan_finding = models.ForeignKey(
        ScanFinding, null=True, blank=True, on_delete=models.SET_NULL, related_name="interventions"
    )
    event = models.ForeignKey(
        CustomerEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="interventions"
    )
    scenario = models.CharField(max_length=32, blank=True, help_text="the demo scenario, for demo interventions")
    trigger_description = models.TextField()

    # The customer as they were when the draft was made.
    health_score = models.FloatField(null=True, blank=True)
    churn_risk = models.FloatField(null=True, blank=True)
    risk_source = models.CharField(max_length=16, blank=True, help_text="model or health")
    lifetime_value = models.DecimalField(**MONEY)
    value_at_risk = models.DecimalField(**MONEY, db_index=True)

    language = models.CharField(max_length=8, help_text="the language the message is written in")
    language_source = models.CharField(max_length=16, help_text="profile, detected or fallback")
    language_detected = models.CharField(max_length=8, blank=True, help_text="detected from the customer's text")
    language_note = models.TextField(blank=True)

    patterns = models.JSONField(default=list, blank=True, help_text="named churn patterns with evidence")

    channel = models.CharField(max_length=8, choices=Channel.choices)
    action = models.CharField(max_length=32)
    offer = models.CharField(max_length=200, blank=True)
    offer_percent = models.PositiveSmallIntegerField(default=0)
    priority = models.CharField(max_length=8, choices=Priority.choices, db_index=True)
    escalate = models.BooleanField(default=False, help_text="a human must handle this")
    escalation_reason = models.TextField(blank=True)
    decision_reasons = models.JSONField(default=list, blank=True)
    policy_corrections = models.JSONField(default=list, blank=True, help_text="what the policy changed")

    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    message_language = models.CharField(max_length=8)
    drafted_subject = models.CharField(max_length=300, blank=True, help_text="as the pipeline wrote it")
    drafted_body = models.TextField(blank=True, help_text="as the pipeline wrote it")
    empathy_score = models.PositiveSmallIntegerField()
    empathy_breakdown = models.JSONField(default=dict, blank=True)
    empathy_facts = models.JSONField(
        default=dict, blank=True, help_text="what the rubric checks the message against, so an edit is rescored alike"
    )
    backend = models.CharField(max_length=100, help_text='"offline", or the model that wrote the message')

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING_REVIEW, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    # Goes up whenever the words or the channel change (an edit, a re-draft): an approval or an
    # edit names the version the reviewer saw, and is refused if it is not the current one.
    version = models.PositiveIntegerField(default=1)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "origin"],
                condition=models.Q(status="pending_review"),
                name="intervention_one_pending_per_origin",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "status"], name="intervention_customer_status"),
            models.Index(fields=["status", "-value_at_risk"], name="intervention_queue"),
        ]
        permissions = [("review_intervention", "Can approve, reject, edit and send outreach")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.customer_id} ({self.get_status_display()})"

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None

    def _move(self, allowed_from: tuple[str, ...], **changes: object) -> None:
        """Change status only if it is still one of `allowed_from` in the database.

        The conditional UPDATE makes a double click or two reviewers at once act once: the
        second finds the row already moved and gets InvalidTransition.
        """
        moved = Intervention.objects.filter(pk=self.pk, status__in=allowed_from).update(
            updated_at=timezone.now(), **changes
        )
        if not moved:
            self.refresh_from_db(fields=["status"])
            raise InvalidTransition(f"intervention {self.pk} is {self.get_status_display().lower()}")
        for name, value in changes.items():
            setattr(self, name, value)

    def approve(self, *, user: object) -> None:
        self._move((Status.PENDING_REVIEW,), status=Status.APPROVED, reviewed_by=user, reviewed_at=timezone.now())

    def reject(self, *, user: object, reason: str) -> None:
        if not reason.strip():
            raise InvalidTransition("a rejection needs a reason")
        self._move(
            (Status.PENDING_REVIEW,),
            status=Status.REJECTED,
            reviewed_by=user,
            reviewed_at=timezone.now(),
            rejection_reason=reason.strip(),
        )

    def claim_for_sending(self) -> None:
        """Approved (or failed before, for a retry) -> sending: only one sender gets it."""
        self._move((Status.APPROVED, Status.FAILED), status=Status.SENDING, send_error="")

    def mark_sent(self) -> None:
        self._move((Status.SENDING,), status=Status.SENT, sent_at=timezone.now(), send_error="")

    def mark_failed(self, *, error: str) -> None:
        self._move((Status.SENDING,), status=Status.FAILED, send_error=error)


class Activity(models.Model):
    """The audit trail: who drafted, edited, approved, rejected or sent an intervention, and when."""

    class Action(models.TextChoices):
        DRAFTED = "drafted"
        EDITED = "edited"
        APPROVED = "approved"
        REJECTED = "rejected"
        SENT = "sent"
        SEND_FAILED = "send_failed", "Send failed"

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="empty: ProCX itself (the pipeline, the worker)",
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    detail = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["intervention", "at"], name="activity_intervention_time")]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.intervention_id} by {self.actor or 'ProCX'}"


class OutboxMessage(models.Model):
    """A message as it left ProCX through its channel's backend: to whom, what, and how.

    For SMS and calls the default backend only records it here (there is no carrier to hand
    it to): the outbox is then the thing a person works from.
    """

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="outbox")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=254, help_text="an email address or a phone number")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    backend = models.CharField(max_length=200, help_text="the backend that took the message")
    reference = models.CharField(max_length=200, blank=True, help_text="the backend's id for the message")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient}"


class AgentStep(models.Model):
    """One stage of the pipeline as it ran for an intervention: who ran it, how long, what came out.

    A stage that fell back from the model to the offline backend says so in `error` (what
    went wrong with the model) and `backend` ("offline (fallback)").
    """

    class Stage(models.TextChoices):
        CONTEXT = "context"
        PATTERN = "pattern"
        DECISION = "decision"
        EMPATHY = "empathy"

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    stage = models.CharField(max_length=16, choices=Stage.choices)
    backend = models.CharField(max_length=100)
    duration_ms = models.FloatField()
    output = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["intervention", "position"]
        constraints = [models.UniqueConstraint(fields=["intervention", "position"], name="agent_step_position_unique")]

    def __str__(self) -> str:
        return f"{self.intervention_id} #{self.position} {self.stage} ({self.backend})"
