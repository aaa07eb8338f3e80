"""The empathy rubric's phrase lists for French (see interventions.lexicons)."""

from __future__ import annotations

FEELINGS: tuple[str, ...] = (
    "je comprends",
    "nous comprenons",
    "j'imagine",
    "je peux imaginer",
    "frustrant",
    "agaçant",
    "décevant",
    "désagréable",
    "votre frustration",
    "votre déception",
)

APOLOGIES: tuple[str, ...] = ("désolé", "excus", "pardon", "nous regrettons", "je regrette")

OWNERSHIP: tuple[str, ...] = (
    "je vais",
    "nous allons",
    "je m'occupe",
    "je me charge",
    "nous nous chargeons",
    "j'ai ",
    "nous avons",
    "notre erreur",
    "notre faute",
    "personnellement",
    "je m'engage",
)

# French future endings; at least two letters before them so "vrai" is not a future.
FUTURE_ACTIONS: tuple[str, ...] = (r"\w{2,}(?:rai|rons|rez|ront)\b", r"\bje vais\b", r"\bnous allons\b", r"\bva être\b")

TIME_EXPRESSIONS: tuple[str, ...] = (
    r"\baujourd'hui\b",
    r"\bdemain\b",
    r"\bce (?:soir|matin)\b",
    r"\bcet après-midi\b",
    r"\bcette semaine\b",
    r"\bsemaine prochaine\b",
    r"\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b",
    r"\d+\s*(?:heures?|h\b|minutes?|jours?)",
)

BLAME: tuple[str, ...] = (
    "vous auriez dû",
    "tu aurais dû",
    "c'est votre faute",
    "de votre faute",
    "selon notre politique",
    "conformément à notre politique",
    "conformément à nos conditions",
    "nous ne pouvons rien faire",
    "il n'y a rien que nous puissions faire",
    "comme déjà indiqué",
)
