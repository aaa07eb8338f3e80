from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: the dataset generator and its reference data, the five scenarios, sample webhook
    deliveries, and the commands that show them (generate_dataset, run_demo, run_event_driven,
    ensure_staff_login). The top layer: nothing imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
