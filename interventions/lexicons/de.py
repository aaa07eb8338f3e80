"""The empathy rubric's phrase lists for German (see interventions.lexicons)."""

from __future__ import annotations

FEELINGS: tuple[str, ...] = (
    "ich verstehe",
    "wir verstehen",
    "gut verstehen",
    "ich kann mir vorstellen",
    "nachvollziehen",
    "ärgerlich",
    "frustrierend",
    "enttäuschend",
    "ihren ärger",
    "ihre enttäuschung",
)

APOLOGIES: tuple[str, ...] = (
    "entschuldig",
    "es tut mir",
    "es tut uns",
    "tut mir leid",
    "tut uns leid",
    "bedauern",
    "bedaure",
    "verzeihung",
)

OWNERSHIP: tuple[str, ...] = (
    "ich werde",
    "wir werden",
    "ich habe",
    "wir haben",
    "unser fehler",
    "unser versäumnis",
    "persönlich",
    "ich kümmere mich",
    "wir kümmern uns",
    "ich sorge",
    "übernehme",
)

# German often states a plan in the present tense ("ich rufe Sie morgen an").
FUTURE_ACTIONS: tuple[str, ...] = (
    r"\bwerde\b",
    r"\bwerden\b",
    r"\bwird\b",
    r"\berhalten sie\b",
    r"\b(?:rufe|melde|schicke|sende)\b",
)

TIME_EXPRESSIONS: tuple[str, ...] = (
    r"\bheute\b",
    r"(?<!guten )\bmorgen\b",
    r"\bübermorgen\b",
    r"\bdiese woche\b",
    r"\bnächste woche\b",
    r"\b(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)\b",
    r"\d+\s*(?:uhr|stunden?|minuten?|tagen?|werktagen?)\b",
)

BLAME: tuple[str, ...] = (
    "sie hätten",
    "hätten sie",
    "ihre schuld",
    "ihr eigenes verschulden",
    "gemäß unseren richtlinien",
    "laut unseren richtlinien",
    "gemäß unserer richtlinie",
    "laut richtlinie",
    "wir können leider nichts",
    "da können wir nichts machen",
    "wie bereits erwähnt",
)
