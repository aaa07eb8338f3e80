"""The empathy rubric's phrase lists, one plain-data module per outreach language.

Each module (`en`, `hi`, `bn`, `ta`, `te`, `es`, `fr`, `de`, `ar`) holds six tuples of str:
FEELINGS, APOLOGIES, OWNERSHIP and BLAME are phrases; FUTURE_ACTIONS and TIME_EXPRESSIONS are
regular expressions over the casefolded text. interventions.empathy compiles and applies them;
no logic lives here, so a linguist can edit a list without reading the rubric.

Plain phrases are matched case-insensitively (casefold) after NFC normalisation; a phrase
that starts with a Latin letter must start a word, so "he " does not match inside "the ".
Scripts without case (Devanagari, Bengali, Tamil, Telugu, Arabic) are matched as
substrings, because suffixes and prefixes attach to words there (Tamil "நாளைக்குள்",
Arabic "وسأتصل"). Phrases may be stems ("apologi" covers apologise and apologize).
"""

from __future__ import annotations

from types import ModuleType

from interventions.lexicons import ar, bn, de, en, es, fr, hi, ta, te

LEXICONS: dict[str, ModuleType] = {
    "en": en,
    "es": es,
    "fr": fr,
    "de": de,
    "hi": hi,
    "bn": bn,
    "ta": ta,
    "te": te,
    "ar": ar,
}
