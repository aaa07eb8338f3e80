"""The seven sheets of the ProCX workbook, and what the scan stores about them.

Natural keys from the workbook are the primary keys: every sheet refers to customers and
orders by those ids, so foreign keys hold the workbook's own ids and import needs no
id translation.
"""

from __future__ import annotations

from typing import TypedDict

from django.conf import settings
from django.db import models
from django.utils import timezone

from procx_site.formats import money


class Segment(models.TextChoices):
    VIP = "VIP"
    LOYAL = "Loyal"
    REGULAR = "Regular"
    OCCASIONAL = "Occasional"


class LoyaltyTier(models.TextChoices):
    PLATINUM = "Platinum"
    GOLD = "Gold"
    SILVER = "Silver"
    BRONZE = "Bronze"


class PaymentMethod(models.TextChoices):
    CARD = "card"
    UPI = "upi", "UPI"
    WALLET = "wallet"
    NETBANKING = "netbanking", "Net banking"
    COD = "cod", "Cash on delivery"


class PaymentStatus(models.TextChoices):
    SUCCESS = "success"
    PENDING = "pending"
    FAILED = "failed"


class OrderStatus(models.TextChoices):
    PLACED = "placed"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"


class TicketChannel(models.TextChoices):
    EMAIL = "email"
    CHAT = "chat"
    PHONE = "phone"
    SOCIAL = "social"


class TicketCategory(models.TextChoices):
    DELIVERY = "delivery"
    REFUND = "refund"
    PRODUCT = "product"
    ACCOUNT = "account"
    PAYMENT = "payment"
    OTHER = "other"


class TicketPriority(models.TextChoices):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


class TicketStatus(models.TextChoices):
    OPEN = "open"
    IN_PROGRESS = "in_progress", "In progress"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


UNRESOLVED_TICKET_STATUSES = (TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.ESCALATED)


class _MoneyFieldOptions(TypedDict):
    # A TypedDict, not a plain dict, so the type checker can match `**MONEY` to DecimalField's keywords.
    max_digits: int
    decimal_places: int


MONEY: _MoneyFieldOptions = {"max_digits": 14, "decimal_places": 2}


class Customer(models.Model):
    """A customer as the workbook's `customers` sheet describes them."""

    customer_id = models.CharField(max_length=32, primary_key=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, unique=True)
    phone = models.CharField(max_length=32, blank=True, help_text="E.164, e.g. +919831882064")
    signup_date = models.DateField()
    country = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    segment = models.CharField(max_length=16, choices=Segment.choices, db_index=True)
    lifetime_value = models.DecimalField(**MONEY)
    avg_order_value = models.DecimalField(**MONEY)
    preferred_category = models.CharField(max_length=100, blank=True)
    last_active_date = models.DateField()
    loyalty_tier = models.CharField(max_length=16, choices=LoyaltyTier.choices, db_index=True)
    opt_in_marketing = models.BooleanField(help_text="False: no promotional outreach")
    language = models.CharField(max_length=16, help_text="ISO 639-1 code, e.g. en, hi, bn")
    # The latest scan's results, denormalised for fast lists (history is in HealthScore).
    health_score = models.FloatField(null=True, blank=True, db_index=True)
    health_points = models.JSONField(null=True, blank=True, editable=False)
    health_trend = models.CharField(max_length=8, blank=True, help_text="up, down, steady or new")
    churn_risk = models.FloatField(null=True, blank=True)
    risk_source = models.CharField(max_length=16, blank=True, help_text="model or health")
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["customer_id"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.customer_id})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class EventCategory(models.TextChoices):
    COMPLAINT = "COMPLAINT"
    INQUIRY = "INQUIRY"
    ORDER_CANCELLED = "ORDER_CANCELLED"
    ORDER_DELAYED = "ORDER_DELAYED"
    FEEDBACK = "FEEDBACK"


class CustomerEvent(models.Model):
    """One thing a customer did or that happened to them.

    Rows from the workbook fill the sheet's columns and have source "workbook"; webhook
    events also carry their category, a readable description, metadata and the raw payload.
    """

    WORKBOOK_SOURCE = "workbook"

    event_id = models.CharField(max_length=64, primary_key=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="events")
    event_type = models.CharField(max_length=64, db_index=True)
    event_time = models.DateTimeField(db_index=True)  # the newest-first feeds and lists
    product_id = models.CharField(max_length=32, blank=True)
    session_id = models.CharField(max_length=64, blank=True)
    device = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=32, default=WORKBOOK_SOURCE, db_index=True)
    category = models.CharField(max_length=32, choices=EventCategory.choices, blank=True)
    description = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    raw_payload = models.JSONField(null=True, blank=True)
    # Webhook events only: the provider's idempotency key ("stripe:evt_..."): one event per delivery.
    delivery_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    # Webhook events only: the provider, its type and a hash of what the delivery says
    # ("shopify:<sha256 hex>"), so a replay under a new unsigned delivery id is stored once too.
    content_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    received_at = models.DateTimeField(null=True, blank=True)
    # Filled in by the processing after commit: the stored health before and after the re-score.
    health_before = models.FloatField(null=True, blank=True)
    health_after = models.FloatField(null=True, blank=True)
    risk_before = models.FloatField(null=True, blank=True)
    risk_after = models.FloatField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    processing_error = models.TextField(blank=True)

    class Meta:
        # The table kept its name when the model moved here from the events app: the sheet's
        # rows stayed where they were (customers migration 0006).
        db_table = "events_customerevent"
        ordering = ["-event_time"]
        indexes = [
            models.Index(fields=["customer", "event_time"], name="event_customer_time"),
            # The staff events feed, newest webhook events first: only webhook events have a
            # received_at, so the index stays as small as they are however big the sheet grows.
            models.Index(
                fields=["-received_at", "-event_id"],
                name="event_webhook_received",
                condition=models.Q(received_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.event_type}"


class Order(models.Model):
    """One order from the `orders` sheet."""

    order_id = models.CharField(max_length=32, primary_key=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    order_date = models.DateTimeField(db_index=True)  # newest-first lists across customers
    items_count = models.PositiveIntegerField()
    product_ids = models.TextField(blank=True, help_text="Comma-separated product ids")
    total_amount = models.DecimalField(**MONEY)
    payment_method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    payment_status = models.CharField(max_length=16, choices=PaymentStatus.choices)
    order_status = models.CharField(max_length=16, choices=OrderStatus.choices, db_index=True)
    # Unknown for an order a webhook placed (a shop's order carries no estimate): left blank, not guessed.
    estimated_delivery_date = models.DateField(null=True, blank=True)
    actual_delivery_date = models.DateField(null=True, blank=True)
    delivery_delay_days = models.FloatField(
        null=True, blank=True, help_text="Actual minus estimated; negative is early"
    )
    promo_code = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-order_date"]
        indexes = [models.Index(fields=["customer", "order_date"], name="order_customer_time")]

    def __str__(self) -> str:
        return self.order_id


class Payment(models.Model):
    """One payment attempt from the `payments` sheet."""

    payment_id = models.CharField(max_length=32, primary_key=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="payments")
    payment_date = models.DateTimeField()
    amount = models.DecimalField(**MONEY)
    payment_method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    status = models.CharField(max_length=16, choices=PaymentStatus.choices, db_index=True)
    failure_reason = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-payment_date"]
        indexes = [models.Index(fields=["customer", "payment_date"], name="payment_customer_time")]

    def __str__(self) -> str:
        return self.payment_id


class SupportTicket(models.Model):
    """One support ticket from the `support_tickets` sheet."""

    ticket_id = models.CharField(max_length=32, primary_key=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tickets")
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets")
    created_at = models.DateTimeField()
    channel = models.CharField(max_length=16, choices=TicketChannel.choices)
    category = models.CharField(max_length=16, choices=TicketCategory.choices)
    priority = models.CharField(max_length=16, choices=TicketPriority.choices)
    assigned_agent_id = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=TicketStatus.choices, db_index=True)
    resolution_time_hours = models.FloatField(null=True, blank=True)
    escalation = models.BooleanField(help_text="Y/N in the workbook")
    escalated_to = models.CharField(max_length=100, blank=True)
    # Blank for a ticket a webhook opened: neither is known until the conversation has happened.
    sentiment_score = models.FloatField(null=True, blank=True, help_text="From -1 (negative) to 1 (positive)")
    initial_message = models.TextField()
    final_message_summary = models.TextField(blank=True)
    csat_score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1 to 5")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["customer", "created_at"], name="ticket_customer_time")]

    def __str__(self) -> str:
        return self.ticket_id

    @property
    def is_unresolved(self) -> bool:
        return self.status in UNRESOLVED_TICKET_STATUSES


class NpsResponse(models.Model):
    """One answer to the NPS survey (`nps_survey` sheet); a customer may answer often."""

    survey_id = models.CharField(max_length=32, primary_key=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="nps_responses")
    date = models.DateTimeField()
    nps_score = models.PositiveSmallIntegerField(help_text="0 to 10")
    feedback_text = models.TextField(blank=True)

    class Meta:
        ordering = ["-date"]
        indexes = [models.Index(fields=["customer", "date"], name="nps_customer_time")]
        verbose_name = "NPS response"

    def __str__(self) -> str:
        return self.survey_id

    @property
    def category(self) -> str:
        if self.nps_score >= 9:
            return "promoter"
        if self.nps_score >= 7:
            return "passive"
        return "detractor"


class ChurnLabel(models.Model):
    """Ground truth from `churn_labels`: whether the customer churned (at most one row each)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True, related_name="churn_label")
    is_churn = models.BooleanField()
    churn_date = models.DateField(null=True, blank=True)
    churn_reason = models.CharField(max_length=64, blank=True)
    predicted_churn_score = models.FloatField(null=True, blank=True, help_text="From an earlier model; not trusted")

    class Meta:
        ordering = ["customer_id"]

    def __str__(self) -> str:
        return f"{self.customer_id}: {'churned' if self.is_churn else 'retained'}"


class ChurnModel(models.Model):
    """A churn model trained on churn_labels, with its held-out metrics beside the health score's.

    `usable` is False when the model does not beat the health score (or its AUC is under
    0.6): the scan then takes risk from the health score and says so.
    """

    trained_at = models.DateTimeField(default=timezone.now)
    as_of = models.DateTimeField(help_text="the date the features were computed for")
    labelled = models.PositiveIntegerField(default=0)
    positives = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    baseline_metrics = models.JSONField(default=dict, blank=True)
    usable = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    feature_names = models.JSONField(default=list, blank=True)
    estimator = models.BinaryField(null=True, blank=True, editable=False)
    seconds = models.FloatField(default=0)
    # Point in time: each labelled customer's features were measured this many days before
    # the outcome (a churner's churn date; a matching moment for the others), and the risk it
    # gives is the probability of churning within as many days.
    horizon_days = models.PositiveIntegerField(default=0)
    family = models.CharField(max_length=32, blank=True, help_text="the model family chosen on the held-out folds")
    family_metrics = models.JSONField(default=dict, blank=True, help_text="held-out figures of every family tried")
    held_out = models.PositiveIntegerField(default=0, help_text="labelled customers scored by forward-in-time folds")
    reliability = models.JSONField(default=list, blank=True, help_text="held-out predicted risk against churn seen")
    baseline_reliability = models.JSONField(default=list, blank=True)
    dropped_features = models.JSONField(default=list, blank=True, help_text="features no customer had a value for")
    skipped = models.JSONField(default=dict, blank=True, help_text="labelled customers left out, by reason")
    pattern_outcomes = models.JSONField(
        default=dict, blank=True, help_text="per description pattern: labelled customers who showed it, and churned"
    )

    class Meta:
        ordering = ["-trained_at"]
        get_latest_by = "trained_at"

    def __str__(self) -> str:
        auc = self.metrics.get("roc_auc")
        shown = f"AUC {auc:.2f}" if isinstance(auc, float) else "no AUC"
        return f"Churn model of {self.trained_at:%Y-%m-%d %H:%M} ({shown}, {'used' if self.usable else 'not used'})"


class ScanRun(models.Model):
    """One proactive scan: everyone scored at `as_of`, the at-risk findings ranked by value at risk."""

    class Status(models.TextChoices):
        QUEUED = "queued"  # asked for from the staff pages, waiting for the worker
        RUNNING = "running"
        FINISHED = "finished"
        FAILED = "failed"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule"
        MANUAL = "manual"
        COMMAND = "command"

    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    parameters = models.JSONField(default=dict, blank=True)
    customers_scanned = models.PositiveIntegerField(default=0)
    at_risk_count = models.PositiveIntegerField(default=0)
    value_at_risk = models.DecimalField(**MONEY, default=0)
    duration_seconds = models.FloatField(null=True, blank=True)
    churn_model = models.ForeignKey(ChurnModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans")
    risk_source = models.TextField(blank=True, help_text="where risk came from, in words")
    error = models.TextField(blank=True)
    progress = models.CharField(max_length=200, blank=True, help_text="what the scan is doing now, in words")
    health_histogram = models.JSONField(
        default=list, blank=True, help_text="how many customers scored in each tenth of 0-100"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="who pressed 'Run scan now'",
    )

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"Scan of {self.as_of:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def outreach_capacity(self) -> int | None:
        capacity = (self.parameters or {}).get("outreach_capacity")
        return None if capacity is None else int(capacity)

    def selection_summary(self) -> str:
        """The selection in one plain sentence: how many passed the rule, against what staff can work.

        When fewer customers pass the rule than the outreach capacity, it says so: the rule is
        never loosened to fill the list.
        """
        if self.status != self.Status.FINISHED:
            return ""
        parameters = self.parameters or {}
        min_ltv = money(parameters.get("min_ltv", 0), whole=True)
        rule = f"churn risk above {float(parameters.get('min_risk', 0)) * 100:.0f} % and lifetime value above {min_ltv}"
        count, capacity = self.at_risk_count, self.outreach_capacity
        passed = f"{count:,} {'customer passes' if count == 1 else 'customers pass'} the rule ({rule})"
        if capacity is None:
            return f"{passed}."
        if count < capacity:
            return (
                f"{passed}, fewer than the outreach capacity of {capacity:,}: "
                "the list is not padded by loosening the rule."
            )
        return f"{passed}; outreach is drafted for the top {capacity:,}, the outreach capacity."


class HealthScore(models.Model):
    """A customer's health at one moment: score, the ten factors' points and inputs, and risk."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="health_scores")
    scan = models.ForeignKey(ScanRun, null=True, blank=True, on_delete=models.CASCADE, related_name="scores")
    as_of = models.DateTimeField()
    score = models.FloatField()
    points = models.JSONField(help_text="factor name -> points")
    no_data = models.JSONField(default=list, blank=True, help_text="factors scored without data (half points)")
    inputs = models.JSONField(default=dict, blank=True, help_text="factor name -> the value that decided its band")
    churn_risk = models.FloatField()
    risk_source = models.CharField(max_length=16, help_text="model or health")

    class Meta:
        ordering = ["-as_of", "-pk"]
        indexes = [models.Index(fields=["customer", "as_of"], name="health_customer_time")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.score:.1f} at {self.as_of:%Y-%m-%d %H:%M}"


class ScanFinding(models.Model):
    """A high-value customer at risk, as one scan ranked them, with the reasons in words."""

    scan = models.ForeignKey(ScanRun, on_delete=models.CASCADE, related_name="findings")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="findings")
    rank = models.PositiveIntegerField()
    health_score = models.FloatField()
    churn_risk = models.FloatField()
    lifetime_value = models.DecimalField(**MONEY)
    value_at_risk = models.DecimalField(**MONEY)
    description = models.TextField()
    signals = models.JSONField(default=list, blank=True, help_text="the statements of the description")
    # A customer who comes back (an order, a payment) leaves the list at once, not at the next
    # scan: when an event re-scores them out of the selection rule, the finding says when and why.
    left_at = models.DateTimeField(null=True, blank=True, help_text="when the customer left the at-risk list")
    left_because = models.TextField(blank=True)

    class Meta:
        ordering = ["scan", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["scan", "rank"], name="finding_rank_unique"),
            models.UniqueConstraint(fields=["scan", "customer"], name="finding_customer_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.customer_id} (scan {self.scan_id})"
