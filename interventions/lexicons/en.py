"""The empathy rubric's phrase lists for English (see interventions.lexicons)."""

from __future__ import annotations

FEELINGS: tuple[str, ...] = (
    "i understand",
    "we understand",
    "i completely understand",
    "i can imagine",
    "i can only imagine",
    "i know how",
    "sorry to hear",
    "how frustrating",
    "frustrating",
    "frustration",
    "disappointing",
    "disappointed",
    "upsetting",
    "understandably",
    "that must be",
    "must have been",
)

APOLOGIES: tuple[str, ...] = ("sorry", "apologi", "my apologies", "our apologies", "we regret", "i regret", "pardon")

OWNERSHIP: tuple[str, ...] = (
    "we will",
    "we'll",
    "i will",
    "i'll",
    "i have",
    "i've",
    "we have",
    "we've",
    "our mistake",
    "our fault",
    "our error",
    "my mistake",
    "i personally",
    "i am personally",
    "i'm personally",
    "i take",
    "we take",
    "let me",
    "i'm arranging",
    "i am arranging",
)

FUTURE_ACTIONS: tuple[str, ...] = (
    r"\bwill\b",
    r"'ll\b",
    r"\bgoing to\b",
    r"\bshall\b",
    r"\bexpect\b",
    r"\bis on its way\b",
)

TIME_EXPRESSIONS: tuple[str, ...] = (
    r"\btoday\b",
    r"\btonight\b",
    r"\btomorrow\b",
    r"\bthis (?:morning|afternoon|evening|week)\b",
    r"\bend of (?:the )?day\b",
    r"\bnext week\b",
    r"\bwithin the hour\b",
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\s+\d",
    r"\d+\s*(?:hours?|hrs?|minutes?|mins?|days?|business days|working days)\b",
)

BLAME: tuple[str, ...] = (
    "you should have",
    "you should've",
    "your fault",
    "your own fault",
    "as stated in our policy",
    "per our policy",
    "according to our policy",
    "refer to our policy",
    "read the policy",
    "our policy states",
    "unfortunately there is nothing",
    "there is nothing we can do",
    "nothing we can do",
    "you failed to",
    "as i already said",
    "as already explained",
    "calm down",
    "not our problem",
    "not our fault",
)
