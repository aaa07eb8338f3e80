"""What the events app tells the apps downstream of it, without importing them (STYLE.md)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `event_ids` once webhook events are stored (a re-processed inbox delivery: inside
# the transaction that stores it). A receiver's side effects belong in transaction.on_commit:
# the pipeline app queues the processing (the sheets, the re-score, the outreach) there, while
# the provider already has its answer.
customer_events_stored = Signal()
