"""What the events app tells the apps downstream of it, without importing them (STYLE.md)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that stores webhook events, with `event_ids`. A receiver that
# writes to the same database may do so at once (it commits or rolls back with the events);
# any other side effect belongs in transaction.on_commit. The pipeline app queues the
# processing (the sheets, the re-score, the outreach) while the provider already has its answer.
customer_events_stored = Signal()
