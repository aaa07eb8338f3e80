"""What the events app tells the apps downstream of it, without importing them (STYLE.md)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after the commit that stored webhook events, with `event_ids`: the customers app and
# the pipeline react (the sheets, the re-score, the outreach) while the provider already has
# its answer.
customer_events_stored = Signal()
