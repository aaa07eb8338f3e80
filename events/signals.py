"""What the events app tells the apps above it, without importing them (STYLE.md)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `event_ids` once webhook events are stored (a re-processed inbox delivery: inside
# the transaction that stores it). A receiver's side effects belong in transaction.on_commit;
# this app's own receiver (events.apps) queues the processing there, while the provider
# already has its answer.
customer_events_stored = Signal()

# Sent with `events` (the CustomerEvents just processed: applied to the sheets and re-scored,
# health and risk before and after on each) after their transactions committed. Interventions
# drafts outreach for complaints from customers now at risk.
customer_events_processed = Signal()
