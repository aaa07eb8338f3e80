"""What interventions does when the apps below it report something (Django signals).

Webhook events are processed in the events app; a complaint from a customer who is now at risk
gets outreach drafted here, pending review, as the scan's findings do.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings

from customers.models import CustomerEvent
from interventions.agents.types import Trigger
from interventions.models import Origin
from interventions.services.drafting import DEFAULT_MODEL, DraftOutcome, DraftRequest, interventions_draft

logger = logging.getLogger(__name__)


def outreach_for_complaints(
    *, events: Sequence[CustomerEvent], model: object | None = DEFAULT_MODEL, **kwargs: object
) -> list[DraftOutcome]:
    """Draft outreach for each processed COMPLAINT whose customer's risk is now over the scan's
    threshold. Drafting that fails leaves the events processed and says so on each of them;
    the next scan drafts for the customers it selects."""
    requests = [
        DraftRequest(
            event.customer_id,
            Trigger(
                kind="webhook",
                description=event.description,
                category="COMPLAINT",
                customer_text=str(event.metadata.get("feedback") or event.metadata.get("message") or ""),
                order_id=str(event.metadata.get("order_id") or ""),
            ),
            event=event,
        )
        for event in events
        if event.category == "COMPLAINT" and (event.risk_after or 0) > settings.PROCX_SCAN_MIN_RISK
    ]
    if not requests:
        return []
    try:
        return interventions_draft(requests=requests, origin=Origin.WEBHOOK, model=model)
    except Exception as error:  # the events are processed; outreach can be drafted by the next scan
        logger.exception("drafting outreach for webhook events failed")
        CustomerEvent.objects.filter(pk__in=[request.event.pk for request in requests if request.event]).update(
            processing_error=f"outreach not drafted: {type(error).__name__}: {error}"[:2000]
        )
        return []
