from __future__ import annotations

from django.apps import AppConfig


class StaffConfig(AppConfig):
    """The staff web app: every HTMX page, its URLs, permissions and charts. No models."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "staff"
