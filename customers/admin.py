"""The back office: the six customer sheets, a customer page with their recent activity, and
the workbook upload that runs the same import service as `manage.py import_workbook`.

Tables can be large (100,000 customers, millions of orders and events): foreign keys are raw
id inputs, never a <select> of every customer; lists skip the unfiltered full count; searches
by customer look the customers up first and then use the (customer, time) indexes.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from customers.forms import WorkbookUploadForm
from customers.health import health_band
from customers.models import (
    ChurnLabel,
    ChurnModel,
    Customer,
    CustomerEvent,
    HealthScore,
    NpsResponse,
    Order,
    Payment,
    ScanFinding,
    ScanRun,
    SupportTicket,
)
from customers.selectors import customer_matches, factor_rows
from customers.services import WorkbookInvalid, workbook_import

admin.site.site_header = "ProCX back office"
admin.site.site_title = "ProCX back office"
admin.site.index_title = "Customers, their activity and the task queue"

IMPORT_PERMISSIONS = ("customers.add_customer", "customers.change_customer")


class CustomerSearchMixin:
    """Search a customer's rows by their own id, or by the customer's id, name or email.

    The admin's generic search would OR `icontains` over a join for every row of a table
    with millions of rows; here the matching customers are found first (a small table) and
    their rows come through the (customer, time) index. `search_fields` stays set so the
    search box shows and says what it searches.
    """

    search_help_text = "Search by this row's id, or by the customer's id, name or email."

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        own_id = Q(pk__in={term, term.upper()})
        return queryset.filter(
            own_id | Q(customer__in=Customer.objects.filter(customer_matches(term)).values("pk"))
        ), False


class SheetAdmin(admin.ModelAdmin):
    """What every workbook sheet's admin shares."""

    show_full_result_count = False
    list_per_page = 50

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        # Primary keys are the workbook's ids: changing one would save a copy under the new id.
        fields = list(super().get_readonly_fields(request, obj))
        key = self.opts.pk.name
        if obj is not None and key not in fields:
            fields.insert(0, key)
        return fields


# --- the customer page's recent activity ----------------------------------------------------


class LatestRowsFormSet(BaseInlineFormSet):
    """An inline formset over only the customer's latest rows (the inline's ordering, newest first).

    A sliced queryset cannot be filtered again, and the inline formset filters by customer
    after the inline's `get_queryset`; so here, once filtered, the latest primary keys are
    looked up and the rows limited to them. `total_count` feeds the link to all of them.
    """

    limit = 20

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = self.queryset
        if everything is None:  # BaseInlineFormSet always sets it; the stubs allow None
            raise ValueError("an inline formset without a queryset")
        self.total_count = everything.count()
        latest = list(everything.values_list("pk", flat=True)[: self.limit])
        self.queryset = everything.filter(pk__in=latest)


class ReadOnlyInline(admin.TabularInline):
    """Rows shown, not edited, on the customer page; each row's id links to its own page."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class LatestRowsInline(ReadOnlyInline):
    formset = LatestRowsFormSet
    template = "admin/customers/customer/latest_rows_inline.html"


class OrderInline(LatestRowsInline):
    model = Order
    fields = (
        "order_date",
        "total_amount",
        "items_count",
        "order_status",
        "payment_status",
        "delivery_delay_days",
    )
    verbose_name_plural = "orders (newest first)"


class PaymentInline(LatestRowsInline):
    model = Payment
    fields = ("order", "payment_date", "amount", "payment_method", "status", "failure_reason")
    verbose_name_plural = "payments (newest first)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payment]:
        return super().get_queryset(request).select_related("order")


class SupportTicketInline(LatestRowsInline):
    model = SupportTicket
    fields = (
        "created_at",
        "channel",
        "category",
        "priority",
        "status",
        "escalation",
        "csat_score",
        "sentiment_score",
    )
    verbose_name_plural = "support tickets (newest first)"


class NpsResponseInline(LatestRowsInline):
    model = NpsResponse
    fields = ("date", "nps_score", "feedback_text")
    verbose_name_plural = "NPS responses (newest first)"


# The workbook's churn_labels sheet carries a `predicted_churn_score` from some earlier model.
# ProCX never uses it (churn risk comes from the scan), so wherever it is shown it says so, and
# it never sits under a heading that could be read as the customer's risk.
IMPORTED_SCORE_LABEL = "imported score, not used"
IMPORTED_SCORE_HELP = (
    "The workbook's predicted_churn_score, kept as imported. ProCX does not use it: churn risk "
    "comes from the proactive scan, and 'at risk' means the latest scan's selection."
)


def imported_score(label: ChurnLabel) -> str:
    if label.predicted_churn_score is None:
        return "-"
    return f"{label.predicted_churn_score:g} (imported, not used)"


class ChurnLabelInline(ReadOnlyInline):
    model = ChurnLabel
    fields = ("is_churn", "churn_date", "churn_reason", "imported_score")
    readonly_fields = ("imported_score",)
    show_change_link = False

    @admin.display(description=IMPORTED_SCORE_LABEL)
    def imported_score(self, label: ChurnLabel) -> str:
        return imported_score(label)


class CustomerEventInline(LatestRowsInline):
    model = CustomerEvent
    fields = ("event_type", "event_time", "source", "category", "device", "description")
    verbose_name_plural = "events (newest first)"


# --- the sheets -------------------------------------------------------------------------------


@admin.register(Customer)
class CustomerAdmin(SheetAdmin):
    change_list_template = "admin/customers/customer/change_list.html"
    list_display = (
        "customer_id",
        "name",
        "email",
        "segment",
        "loyalty_tier",
        "lifetime_value",
        "health_shown",
        "health_trend",
        "churn_risk_shown",
        "last_active_date",
        "country",
        "language",
        "opt_in_marketing",
    )
    list_display_links = ("customer_id", "name")
    list_filter = (
        "segment",
        "loyalty_tier",
        "language",
        "opt_in_marketing",
        "country",
        ("churn_label__is_churn", admin.BooleanFieldListFilter),
        ("last_active_date", admin.DateFieldListFilter),
        ("signup_date", admin.DateFieldListFilter),
    )
    search_fields = ("^customer_id", "first_name", "last_name", "email")
    search_help_text = "Search by customer id (or its start), first or last name, or email."
    fieldsets = (
        (None, {"fields": ("customer_id", ("first_name", "last_name"), "email", "phone", "language")}),
        ("Where", {"fields": (("country", "city"),)}),
        (
            "Value",
            {
                "fields": (
                    ("segment", "loyalty_tier"),
                    ("lifetime_value", "avg_order_value"),
                    "preferred_category",
                    ("signup_date", "last_active_date"),
                    "opt_in_marketing",
                )
            },
        ),
        ("Health (latest scan)", {"fields": ("health_breakdown", "churn_risk_shown", "health_trend", "scored_at")}),
    )
    readonly_fields = ("health_breakdown", "churn_risk_shown", "health_trend", "scored_at")
    inlines = (
        ChurnLabelInline,
        OrderInline,
        PaymentInline,
        SupportTicketInline,
        NpsResponseInline,
        CustomerEventInline,
    )

    @admin.display(description="name", ordering="first_name")
    def name(self, customer: Customer) -> str:
        return customer.full_name

    @admin.display(description="health", ordering="health_score")
    def health_shown(self, customer: Customer) -> str:
        if customer.health_score is None:
            return "-"
        return f"{customer.health_score:g} ({health_band(customer.health_score)})"

    @admin.display(description="churn risk", ordering="churn_risk")
    def churn_risk_shown(self, customer: Customer) -> str:
        if customer.churn_risk is None:
            return "-"
        source = "churn model" if customer.risk_source == "model" else "health score"
        return f"{customer.churn_risk:.0%} ({source})"

    @admin.display(description="health breakdown")
    def health_breakdown(self, customer: Customer) -> SafeString | str:
        """The ten factors of the latest score, each with the reason for its points."""
        snapshot = customer.health_scores.order_by("-as_of", "-pk").first()
        if snapshot is None:
            return "Not scored yet: the proactive scan scores every customer."
        # format_html escapes its arguments into strings, so numbers are formatted first.
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{} / {}</td><td>{}</td></tr>",
            ((row.label, f"{row.points:g}", f"{row.max_points:g}", row.reason) for row in factor_rows(snapshot)),
        )
        source = "churn model" if snapshot.risk_source == "model" else "health score (1 - health/100)"
        return format_html(
            "<p>Health {}/100 ({}) as of {} UTC; churn risk {}, risk source: {}.</p>"
            "<table><thead><tr><th>factor</th><th>points</th><th>why</th></tr></thead><tbody>{}</tbody></table>",
            f"{snapshot.score:g}",
            health_band(snapshot.score),
            snapshot.as_of.strftime("%Y-%m-%d %H:%M"),
            f"{snapshot.churn_risk:.0%}",
            source,
            rows,
        )

    def get_inlines(
        self, request: HttpRequest, obj: Customer | None
    ) -> tuple[type[admin.options.InlineModelAdmin], ...]:
        # A customer being added has no activity yet.
        return self.inlines if obj is not None else ()

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Customer], search_term: str
    ) -> tuple[QuerySet[Customer], bool]:
        # Same matching as the other sheets' "by customer" search, so both find the same people.
        return queryset.filter(customer_matches(search_term)), False

    # --- the workbook upload ----------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "import/",
            self.admin_site.admin_view(self.import_workbook_view),
            name="customers_customer_import",
        )
        # Before the default patterns, whose "<object_id>/" would otherwise take "import/".
        return [upload, *super().get_urls()]

    def import_workbook_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        report = None
        invalid = None
        if request.method == "POST":
            form = WorkbookUploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    with form.saved_workbook() as workbook_path:
                        report = workbook_import(
                            path=workbook_path,
                            dry_run=form.cleaned_data["dry_run"],
                            shift_to_today=form.cleaned_data["shift_to_today"],
                            source_name=form.cleaned_data["workbook"].name,
                        )
                except ValidationError as error:
                    form.add_error("workbook", error)
                except WorkbookInvalid as error:
                    invalid = error
        else:
            form = WorkbookUploadForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import a workbook",
            "form": form,
            "report": report,
            "invalid": invalid,
            "ignored_files": form.ignored_files if report or invalid else [],
        }
        return TemplateResponse(request, "admin/customers/customer/import_workbook.html", context)


class CustomerRowAdmin(CustomerSearchMixin, SheetAdmin):  # type: ignore[misc]  # admin attributes typed narrower in django-stubs than Django accepts
    """What every sheet keyed to a customer shares."""

    list_select_related = ("customer",)
    raw_id_fields = ("customer",)


@admin.register(Order)
class OrderAdmin(CustomerRowAdmin):
    list_display = (
        "order_id",
        "customer",
        "order_date",
        "total_amount",
        "items_count",
        "order_status",
        "payment_method",
        "payment_status",
        "delivery_delay_days",
        "promo_code",
    )
    list_filter = (
        "order_status",
        "payment_status",
        "payment_method",
        ("order_date", admin.DateFieldListFilter),
        ("estimated_delivery_date", admin.DateFieldListFilter),
    )
    search_fields = (
        "order_id",
        "customer__customer_id",
        "customer__email",
        "customer__first_name",
        "customer__last_name",
    )
    search_help_text = "Search by order id, or by the customer's id, name or email."  # type: ignore[misc]  # admin attributes typed narrower in django-stubs than Django accepts


@admin.register(Payment)
class PaymentAdmin(CustomerRowAdmin):
    list_display = (
        "payment_id",
        "customer",
        "order",
        "payment_date",
        "amount",
        "payment_method",
        "status",
        "failure_reason",
    )
    list_filter = (
        "status",
        "payment_method",
        "failure_reason",
        ("payment_date", admin.DateFieldListFilter),
    )
    list_select_related = ("customer", "order")  # type: ignore[assignment]  # admin attributes typed narrower in django-stubs than Django accepts
    raw_id_fields = ("customer", "order")  # type: ignore[assignment]  # admin attributes typed narrower in django-stubs than Django accepts
    search_fields = (
        "payment_id",
        "customer__customer_id",
        "customer__email",
        "customer__first_name",
        "customer__last_name",
    )
    search_help_text = "Search by payment id, or by the customer's id, name or email."  # type: ignore[misc]  # admin attributes typed narrower in django-stubs than Django accepts


@admin.register(SupportTicket)
class SupportTicketAdmin(CustomerRowAdmin):
    list_display = (
        "ticket_id",
        "customer",
        "created_at",
        "channel",
        "category",
        "priority",
        "status",
        "escalation",
        "resolution_time_hours",
        "csat_score",
        "sentiment_score",
    )
    list_filter = (
        "status",
        "priority",
        "channel",
        "category",
        "escalation",
        ("created_at", admin.DateFieldListFilter),
    )
    raw_id_fields = ("customer", "order")  # type: ignore[assignment]  # admin attributes typed narrower in django-stubs than Django accepts
    search_fields = (
        "ticket_id",
        "customer__customer_id",
        "customer__email",
        "customer__first_name",
        "customer__last_name",
    )
    search_help_text = "Search by ticket id, or by the customer's id, name or email."  # type: ignore[misc]  # admin attributes typed narrower in django-stubs than Django accepts


class NpsCategoryFilter(admin.SimpleListFilter):
    title = "NPS category"
    parameter_name = "nps_category"
    ranges = {"promoter": (9, 10), "passive": (7, 8), "detractor": (0, 6)}

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(name, f"{name.capitalize()} ({low}-{high})") for name, (low, high) in self.ranges.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[NpsResponse]) -> QuerySet[NpsResponse]:
        value = self.value()
        if value is None or value not in self.ranges:
            return queryset
        return queryset.filter(nps_score__range=self.ranges[value])


@admin.register(NpsResponse)
class NpsResponseAdmin(CustomerRowAdmin):
    list_display = ("survey_id", "customer", "date", "nps_score", "nps_category", "feedback")
    list_filter = (NpsCategoryFilter, "nps_score", ("date", admin.DateFieldListFilter))
    search_fields = (
        "survey_id",
        "customer__customer_id",
        "customer__email",
        "customer__first_name",
        "customer__last_name",
    )
    search_help_text = "Search by survey id, or by the customer's id, name or email."  # type: ignore[misc]  # admin attributes typed narrower in django-stubs than Django accepts

    @admin.display(description="category", ordering="nps_score")
    def nps_category(self, response: NpsResponse) -> str:
        return response.category

    @admin.display(description="feedback")
    def feedback(self, response: NpsResponse) -> str:
        return Truncator(response.feedback_text).chars(80)


@admin.register(ChurnLabel)
class ChurnLabelAdmin(CustomerRowAdmin):
    list_display = ("customer", "is_churn", "churn_date", "churn_reason", "imported_score")
    list_filter = ("is_churn", "churn_reason", ("churn_date", admin.DateFieldListFilter))
    search_fields = ("customer__customer_id", "customer__email", "customer__first_name", "customer__last_name")
    search_help_text = "Search by the customer's id, name or email."  # type: ignore[misc]  # admin attributes typed narrower in django-stubs than Django accepts

    @admin.display(description=IMPORTED_SCORE_LABEL, ordering="predicted_churn_score")
    def imported_score(self, label: ChurnLabel) -> str:
        return imported_score(label)

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "predicted_churn_score" and field is not None:
            field.label = IMPORTED_SCORE_LABEL.capitalize()
            field.help_text = IMPORTED_SCORE_HELP
        return field


# --- customer events ---------------------------------------------------------------------
# The events table can hold millions of rows: the customer is a raw id input, lists skip the
# full count, and dates use a list filter rather than a date hierarchy (whose year list would
# scan the whole table). The model is one of the seven sheets, so its admin is here with theirs.


def pretty_json(value: Any) -> SafeString | str:
    if value is None or value == {}:
        return "-"
    return format_html(
        '<pre class="procx-json">{}</pre>', json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    )


@admin.register(CustomerEvent)
class CustomerEventAdmin(CustomerRowAdmin):
    list_display = ("event_id", "customer", "event_type", "event_time", "source", "category", "device")
    list_filter = (
        "source",
        "category",
        "event_type",
        "device",
        ("event_time", admin.DateFieldListFilter),
    )
    search_fields = (
        "event_id",
        "customer__customer_id",
        "customer__email",
        "customer__first_name",
        "customer__last_name",
    )
    search_help_text = "Search by event id, or by the customer's id, name or email."  # type: ignore[misc]  # admin attributes typed narrower in django-stubs than Django accepts
    readonly_fields = (
        "metadata_pretty",
        "raw_payload_pretty",
        "delivery_key",
        "received_at",
        "health_change",
        "processed_at",
        "processing_error",
    )
    fieldsets = (
        (None, {"fields": ("event_id", "customer", "event_type", "event_time", "source", "category")}),
        ("Where", {"fields": ("device", "session_id", "product_id")}),
        ("What happened", {"fields": ("description", "metadata_pretty", "raw_payload_pretty")}),
        (
            "Webhook",
            {"fields": ("delivery_key", "received_at", "health_change", "processed_at", "processing_error")},
        ),
    )

    @admin.display(description="health before -> after")
    def health_change(self, event: CustomerEvent) -> str:
        if event.health_after is None:
            return "not re-scored yet" if event.delivery_key else "-"
        before = "not scored" if event.health_before is None else f"{event.health_before:.1f}"
        risk = ""
        if event.risk_after is not None:
            risk_before = "?" if event.risk_before is None else f"{event.risk_before:.0%}"
            risk = f"; churn risk {risk_before} -> {event.risk_after:.0%}"
        return f"{before} -> {event.health_after:.1f}{risk}"

    @admin.display(description="metadata")
    def metadata_pretty(self, event: CustomerEvent) -> SafeString | str:
        return pretty_json(event.metadata)

    @admin.display(description="raw payload")
    def raw_payload_pretty(self, event: CustomerEvent) -> SafeString | str:
        return pretty_json(event.raw_payload)


# --- the proactive scan: read-only records of what it found ---------------------------------


class ScanRecordAdmin(admin.ModelAdmin):
    """Scans, scores, findings and models are written by the scan, never by hand."""

    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(ScanRun)
class ScanRunAdmin(ScanRecordAdmin):
    list_display = (
        "started_at",
        "as_of",
        "status",
        "trigger",
        "customers_scanned",
        "at_risk_count",
        "value_at_risk",
        "duration_seconds",
        "risk_source",
    )
    list_filter = ("status", "trigger")


@admin.register(ScanFinding)
class ScanFindingAdmin(ScanRecordAdmin):
    list_display = (
        "scan",
        "rank",
        "customer",
        "health_score",
        "churn_risk",
        "lifetime_value",
        "value_at_risk",
        "left_at",
    )
    list_filter = (("left_at", admin.EmptyFieldListFilter),)
    list_select_related = ("scan", "customer")
    raw_id_fields = ("scan", "customer")
    search_fields = ("customer__customer_id", "customer__email", "customer__last_name")


@admin.register(HealthScore)
class HealthScoreAdmin(ScanRecordAdmin):
    list_display = ("customer", "as_of", "score", "churn_risk", "risk_source", "scan")
    list_select_related = ("customer", "scan")
    list_filter = ("risk_source",)
    raw_id_fields = ("customer", "scan")
    search_fields = ("customer__customer_id",)


@admin.register(ChurnModel)
class ChurnModelAdmin(ScanRecordAdmin):
    list_display = ("trained_at", "usable", "roc_auc", "baseline_auc", "labelled", "positives", "reason")
    exclude = ("estimator",)

    @admin.display(description="model AUC")
    def roc_auc(self, model: ChurnModel) -> str:
        return _auc(model.metrics)

    @admin.display(description="health score AUC")
    def baseline_auc(self, model: ChurnModel) -> str:
        return _auc(model.baseline_metrics)


def _auc(metrics: dict[str, float | None]) -> str:
    value = metrics.get("roc_auc")
    return "-" if value is None else f"{value:.3f}"
