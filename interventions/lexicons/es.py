"""The empathy rubric's phrase lists for Spanish (see interventions.lexicons)."""

from __future__ import annotations

FEELINGS: tuple[str, ...] = (
    "entiendo",
    "entendemos",
    "comprendo",
    "comprendemos",
    "me imagino",
    "imagino",
    "frustrante",
    "frustración",
    "molesto",
    "qué pena",
    "decepción",
)

APOLOGIES: tuple[str, ...] = ("lo siento", "lo sentimos", "disculp", "perdón", "perdone", "lamento", "lamentamos")

OWNERSHIP: tuple[str, ...] = (
    "me encargo",
    "me encargaré",
    "nos encargamos",
    "nos encargaremos",
    "he ",
    "hemos",
    "nuestro error",
    "nuestra culpa",
    "culpa nuestra",
    "personalmente",
    "yo mismo",
    "yo misma",
    "voy a",
    "vamos a",
)

FUTURE_ACTIONS: tuple[str, ...] = (r"\w+(?:ré|rá|remos|rán|rás)\b", r"\bvoy a\b", r"\bvamos a\b", r"\bva a\b")

TIME_EXPRESSIONS: tuple[str, ...] = (
    r"\bhoy\b",
    r"\bmañana\b",
    r"\besta (?:tarde|noche|semana)\b",
    r"\bpróxima semana\b",
    r"\b(?:lunes|martes|miércoles|jueves|viernes|sábado|domingo)\b",
    r"\ba las \d",
    r"\d+\s*(?:horas?|minutos?|días?|días hábiles)\b",
)

BLAME: tuple[str, ...] = (
    "debería haber",
    "debió haber",
    "es su culpa",
    "es tu culpa",
    "según nuestra política",
    "de acuerdo con nuestra política",
    "consulte nuestra política",
    "no podemos hacer nada",
    "no hay nada que podamos hacer",
    "como ya le dije",
)
