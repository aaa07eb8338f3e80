"""The languages outreach is written in, and their English names: the one list.

Settings' LANGUAGES is built from it (each has a gettext catalog in locale/), and
interventions.language reads it from here, so the outreach modules import without settings.
"""

from __future__ import annotations

OUTREACH_LANGUAGES: tuple[tuple[str, str], ...] = (
    ("en", "English"),
    ("hi", "Hindi"),
    ("bn", "Bengali"),
    ("ta", "Tamil"),
    ("te", "Telugu"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("de", "German"),
    ("ar", "Arabic"),
)
