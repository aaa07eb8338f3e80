"""The empathy rubric: how warm and specific an outreach message is, scored by code.

Every message the agent pipeline drafts is scored on six dimensions before staff see it.
The number is always computed here, never taken from a model: with the offline backend
`score_message` reads the text with multilingual phrase lists; with a model, the model only
rates each dimension and quotes its evidence, and `combine_model_ratings` applies the same
weights. Either way the total is a weighted sum of what the message actually does, so two
different messages get different scores and a reviewer can see which phrase earned what.

Messages are written in the customer's language (en, hi, bn, ta, te, es, fr, de, ar, in
their native scripts), so each language has its own phrase lists; English phrases are also
looked for in every language because agents often mix English into, say, Hindi.

Pure functions: no ORM, no request, no network, no model.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from interventions.lexicons import LEXICONS


@dataclass(frozen=True)
class Dimension:
    """One thing an empathetic message does, and the points it is worth out of 100."""

    name: str
    label: str
    weight: int


# Being personal (the customer's name and the very order, payment or ticket) and a concrete
# next step with a time get 20 points each: they are what a template cannot fake and what
# answers the customer's two questions, "do you know who I am?" and "what happens now?".
# The four courtesies share the remaining 60 equally.
DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("acknowledges_feelings", "Acknowledges the customer's feelings", 15),
    Dimension("apologises", "Apologises where something went wrong", 15),
    Dimension("takes_ownership", "Takes ownership", 15),
    Dimension("personal", "Personal: name and the specific order, payment or ticket", 20),
    Dimension("next_step_with_time", "Concrete next step with a time", 20),
    Dimension("respectful_tone", "Respectful tone: no blame, shouting or policy-quoting", 15),
)
DIMENSION_NAMES: tuple[str, ...] = tuple(dimension.name for dimension in DIMENSIONS)

# Below this total the pipeline regenerates the message once; if the second draft is still
# below it, the offline template (which is written to pass) is used instead. 70 means a
# message may miss one 15-point courtesy and half of another, but not the name and order or
# the next step together.
EMPATHY_THRESHOLD = 70

# Evidence is quoted to reviewers next to each score; a sentence is enough to judge it.
EVIDENCE_CHARS = 80


@dataclass(frozen=True)
class MessageFacts:
    """What the message should mention, so that `personal` and `apologises` can be judged.

    `references` are the specific ids and amounts of this case (order id, payment amount,
    ticket id). `something_went_wrong` says whether an apology is due: when it is False a
    message that does not apologise gets full marks for `apologises` (there is nothing to
    apologise for), and one that apologises twice or more gets half, because grovelling over
    nothing reads as scripted.
    """

    customer_name: str
    references: tuple[str, ...] = ()
    something_went_wrong: bool = True


@dataclass(frozen=True)
class DimensionScore:
    """How well a message does one dimension (0..1), the phrase that shows it, and why."""

    name: str
    score: float
    evidence: str
    reason: str


@dataclass(frozen=True)
class EmpathyScore:
    """The 0-100 total and the per-dimension scores it was computed from."""

    total: int
    dimensions: tuple[DimensionScore, ...]

    def dimension(self, name: str) -> DimensionScore:
        for dimension_score in self.dimensions:
            if dimension_score.name == name:
                return dimension_score
        raise KeyError(name)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with each dimension's label and weight so a page can show the breakdown."""
        by_name = {dimension.name: dimension for dimension in DIMENSIONS}
        return {
            "total": self.total,
            "dimensions": [
                {
                    "name": item.name,
                    "label": by_name[item.name].label,
                    "weight": by_name[item.name].weight,
                    "score": round(item.score, 4),
                    "evidence": item.evidence,
                    "reason": item.reason,
                }
                for item in self.dimensions
            ],
        }


# --- Phrase lists -------------------------------------------------------------------------
# Each language's lists are plain data in interventions.lexicons (how they are matched is
# described there); English phrases are also looked for in every other language.


@dataclass(frozen=True)
class _Phrasebook:
    feelings: tuple[str, ...]
    apologies: tuple[str, ...]
    ownership: tuple[str, ...]
    future_actions: tuple[str, ...]
    time_expressions: tuple[str, ...]
    blame: tuple[str, ...]


# Times every language writes the same way: clock times, dates and digits (any script's).
_COMMON_TIMES: tuple[str, ...] = (
    r"\d{1,2}:\d{2}",
    r"\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)",
    r"\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?",
    r"\d{4}-\d{2}-\d{2}",
)

_PHRASEBOOKS: dict[str, _Phrasebook] = {
    language: _Phrasebook(
        feelings=lexicon.FEELINGS,
        apologies=lexicon.APOLOGIES,
        ownership=lexicon.OWNERSHIP,
        future_actions=lexicon.FUTURE_ACTIONS,
        time_expressions=lexicon.TIME_EXPRESSIONS,
        blame=lexicon.BLAME,
    )
    for language, lexicon in LEXICONS.items()
}


def _fold(text: str) -> str:
    """The form both phrases and messages are compared in.

    NFC makes the two ways of writing Devanagari and Bengali nukta letters (ड़, য়) equal;
    typographic (curly) apostrophes become ASCII so a curly "I'm" matches "i'm".
    """
    return unicodedata.normalize("NFC", text).replace("\u2019", "'").replace("\u02bc", "'").casefold()


def _phrase_pattern(phrase: str) -> str:
    folded = _fold(phrase)
    if "LATIN" in unicodedata.name(folded[0], ""):
        return r"(?<!\w)" + re.escape(folded)
    return re.escape(folded)


def _compile(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(unicodedata.normalize("NFC", pattern)) for pattern in patterns)


@dataclass(frozen=True)
class _Compiled:
    feelings: tuple[re.Pattern[str], ...]
    apologies: tuple[re.Pattern[str], ...]
    ownership: tuple[re.Pattern[str], ...]
    future_actions: tuple[re.Pattern[str], ...]
    time_expressions: tuple[re.Pattern[str], ...]
    blame: tuple[re.Pattern[str], ...]


def _compile_phrasebook(book: _Phrasebook) -> _Compiled:
    return _Compiled(
        feelings=_compile(_phrase_pattern(phrase) for phrase in book.feelings),
        apologies=_compile(_phrase_pattern(phrase) for phrase in book.apologies),
        ownership=_compile(_phrase_pattern(phrase) for phrase in book.ownership),
        future_actions=_compile(book.future_actions),
        time_expressions=_compile(book.time_expressions),
        blame=_compile(_phrase_pattern(phrase) for phrase in book.blame),
    )


_COMPILED: dict[str, _Compiled] = {language: _compile_phrasebook(book) for language, book in _PHRASEBOOKS.items()}
_COMMON_TIME_PATTERNS = _compile(_COMMON_TIMES)

# All-capital words that are names of things, not shouting.
_ACRONYMS = frozenset(
    {"ASAP", "FAQ", "HTTP", "HTTPS", "NEFT", "IMPS", "RTGS", "HDFC", "ICICI", "SEPA", "IBAN", "VISA", "EMI"}
)
_SHOUTING_SHARE = 0.30
_SHOUTING_MIN_LETTERS = 12  # "OK, thanks" is not shouting
_SENTENCE_END = re.compile(r"[.!?।॥؟\n]")


# --- Reading a message --------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    """A match, with its place in the displayed (unfolded) text so evidence quotes the original."""

    start: int
    end: int


class _Message:
    """The message as written (for quoting) and casefolded (for matching), with an index map.

    Casefolding can change a string's length ("ß" -> "ss"), so each folded character
    remembers which displayed character it came from.
    """

    def __init__(self, subject: str, body: str) -> None:
        joined = f"{subject}\n{body}" if subject else body
        self.display = unicodedata.normalize("NFC", joined).replace("\u2019", "'").replace("\u02bc", "'")
        folded_chars: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(self.display):
            for folded_char in char.casefold():
                folded_chars.append(folded_char)
                origin.append(index)
        origin.append(len(self.display))
        self.folded = "".join(folded_chars)
        self._origin = origin

    def find_all(self, patterns: Iterable[re.Pattern[str]]) -> list[_Hit]:
        hits = [
            _Hit(self._origin[match.start()], self._origin[match.end()])
            for pattern in patterns
            for match in pattern.finditer(self.folded)
            if match.end() > match.start()
        ]
        return sorted(hits, key=lambda hit: (hit.start, hit.end))

    def hit_at(self, folded_start: int, length: int) -> _Hit:
        """A hit for a plain `str.find` in the folded text (digits folded to ASCII keep lengths)."""
        return _Hit(self._origin[folded_start], self._origin[folded_start + length])

    def sentence_bounds(self, position: int) -> tuple[int, int]:
        start = 0
        for match in _SENTENCE_END.finditer(self.display, 0, position):
            start = match.end()
        end_match = _SENTENCE_END.search(self.display, position)
        end = end_match.end() if end_match else len(self.display)
        return start, end

    def quote(self, hit: _Hit) -> str:
        """The sentence around a hit, trimmed to EVIDENCE_CHARS with the hit kept inside."""
        start, end = self.sentence_bounds(hit.start)
        sentence = " ".join(self.display[start:end].split())
        if len(sentence) <= EVIDENCE_CHARS:
            return sentence
        # Start a little before the hit, at a word boundary, and mark both cuts with "…".
        window_start = max(start, hit.start - 20)
        lead = ""
        if window_start > start:
            space = self.display.find(" ", window_start, hit.start)
            window_start = space + 1 if space >= 0 else hit.start
            lead = "…"
        window = " ".join(self.display[window_start:end].split())
        room = EVIDENCE_CHARS - len(lead)
        if len(window) > room:
            window = window[: room - 1].rstrip() + "…"
        return lead + window


def _patterns_for(language: str) -> list[_Compiled]:
    code = language.strip().casefold().replace("_", "-").split("-")[0]
    books = [_COMPILED["en"]]
    if code in _COMPILED and code != "en":
        books.insert(0, _COMPILED[code])
    return books


def _quote_text(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1].rstrip() + "…"


# --- The six dimensions -------------------------------------------------------------------


def _presence(
    message: _Message, patterns: list[re.Pattern[str]], name: str, found: str, missing: str
) -> DimensionScore:
    hits = message.find_all(patterns)
    if hits:
        return DimensionScore(name, 1.0, message.quote(hits[0]), found)
    return DimensionScore(name, 0.0, "", missing)


def _apologises(message: _Message, patterns: list[re.Pattern[str]], facts: MessageFacts) -> DimensionScore:
    hits = message.find_all(patterns)
    # Overlapping stems ("sorry" inside "sorry to hear") count once per place in the text.
    places = {hit.start for hit in hits}
    if facts.something_went_wrong:
        if hits:
            return DimensionScore("apologises", 1.0, message.quote(hits[0]), "apologises for what went wrong")
        return DimensionScore("apologises", 0.0, "", "something went wrong and the message does not apologise")
    if len(places) >= 2:
        return DimensionScore(
            "apologises", 0.5, message.quote(hits[0]), "apologises repeatedly although nothing went wrong"
        )
    return DimensionScore("apologises", 1.0, "", "nothing went wrong, so no apology is needed")


def _digits_to_ascii(text: str) -> str:
    """Order ids may be written in Devanagari, Bengali or Arabic-Indic digits; compare them as 0-9."""
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)


def _compact(text: str) -> str:
    """Amounts are written "1,499", "1 499" or "1499": compare without separators."""
    return re.sub(r"[\s,\u00a0\u202f]", "", text)


def _personal(message: _Message, facts: MessageFacts) -> DimensionScore:
    comparable = _digits_to_ascii(message.folded)
    compact = _compact(comparable)
    wanted: list[tuple[str, list[str]]] = []
    name = facts.customer_name.strip()
    if name:
        # "Dear Priya" is personal for "Priya Sharma": the full name or any part of it will do.
        parts = [name, *(part for part in name.split() if len(part) >= 2)]
        wanted.append((name, parts))
    wanted.extend((reference, [reference]) for reference in facts.references if reference.strip())
    if not wanted:
        # Nothing to look for: half marks, so missing facts neither punish nor flatter.
        return DimensionScore("personal", 0.5, "", "no customer name or reference was given to look for")
    present: list[str] = []
    missing: list[str] = []
    first_hit: _Hit | None = None
    for label, forms in wanted:
        needles = [_digits_to_ascii(_fold(form)) for form in forms]
        positions = [(comparable.find(needle), needle) for needle in needles]
        located = [(position, needle) for position, needle in positions if position >= 0]
        if located:
            present.append(label)
            position, needle = located[0]
            if first_hit is None:
                first_hit = message.hit_at(position, len(needle))
        elif any(_compact(needle) and _compact(needle) in compact for needle in needles):
            present.append(label)
        else:
            missing.append(label)
    score = len(present) / len(wanted)
    evidence = message.quote(first_hit) if first_hit else ""
    if missing:
        reason = f"mentions {len(present)} of {len(wanted)}; missing: {', '.join(missing)}"
    else:
        reason = "uses the customer's name and every reference"
    return DimensionScore("personal", score, evidence, reason)


def _next_step(message: _Message, books: list[_Compiled]) -> DimensionScore:
    actions = message.find_all(pattern for book in books for pattern in book.future_actions)
    times = message.find_all(
        [*_COMMON_TIME_PATTERNS, *(pattern for book in books for pattern in book.time_expressions)]
    )
    action_sentences = {message.sentence_bounds(hit.start): hit for hit in reversed(actions)}
    for time_hit in times:
        bounds = message.sentence_bounds(time_hit.start)
        if bounds in action_sentences:
            return DimensionScore(
                "next_step_with_time", 1.0, message.quote(action_sentences[bounds]), "a concrete next step with a time"
            )
    if actions and times:
        return DimensionScore(
            "next_step_with_time", 0.75, message.quote(actions[0]), "a next step, with the time in another sentence"
        )
    if actions:
        return DimensionScore("next_step_with_time", 0.4, message.quote(actions[0]), "a next step but no time")
    return DimensionScore("next_step_with_time", 0.0, "", "no next step the customer can expect")


def _quote_shouting(message: _Message, shouted_words: list[str]) -> str:
    """Quote the sentence the shouting is in (or the first capital, if the share gave it away)."""
    needle = shouted_words[0] if shouted_words else None
    position = message.display.find(needle) if needle else -1
    if position < 0:
        position = next((index for index, char in enumerate(message.display) if char.isupper()), 0)
    return message.quote(_Hit(position, position + 1))


def _respectful_tone(message: _Message, books: list[_Compiled], facts: MessageFacts) -> DimensionScore:
    """Starts at full marks and loses points for each kind of disrespect; evidence quotes the first."""
    # The customer's name and order ids are often capitals ("O300123"); they are not shouting.
    text = message.display
    for known in (facts.customer_name, *facts.references):
        if known.strip():
            text = text.replace(known, " " * len(known))  # same length, so positions still match
    deductions = 0.0
    problems: list[str] = []
    evidence = ""

    latin_letters = [char for char in text if char.isalpha() and "LATIN" in unicodedata.name(char, "")]
    upper_share = sum(char.isupper() for char in latin_letters) / len(latin_letters) if latin_letters else 0.0
    shouted_words = [
        word
        for word in re.findall(r"[^\W\d_]+", text)
        if len(word) >= 4 and word.isupper() and word not in _ACRONYMS and "LATIN" in unicodedata.name(word[0], "")
    ]
    if (len(latin_letters) >= _SHOUTING_MIN_LETTERS and upper_share > _SHOUTING_SHARE) or len(shouted_words) >= 2:
        deductions += 0.4
        problems.append("shouting in capitals")
        evidence = _quote_shouting(message, shouted_words)
    elif shouted_words:
        deductions += 0.2
        problems.append("a shouted word")
        evidence = shouted_words[0]

    exclamations = re.search(r"!{2,}", text)
    if exclamations or text.count("!") >= 3:
        deductions += 0.2
        problems.append("several exclamation marks")
        if exclamations and not evidence:
            evidence = message.quote(_Hit(exclamations.start(), exclamations.end()))

    blame_hits = message.find_all(pattern for book in books for pattern in book.blame)
    # Overlapping phrases ("as stated in our policy" and "our policy") are one offence.
    blame_places: list[_Hit] = []
    for hit in blame_hits:
        if not blame_places or hit.start >= blame_places[-1].end:
            blame_places.append(hit)
    if blame_places:
        deductions += min(0.6, 0.3 * len(blame_places))
        problems.append("blames the customer or quotes policy")
        evidence = evidence or message.quote(blame_places[0])

    score = max(0.0, 1.0 - deductions)
    reason = "; ".join(problems) if problems else "no shouting, blame or policy-quoting"
    return DimensionScore("respectful_tone", score, evidence, reason)


def _total(dimension_scores: Iterable[DimensionScore]) -> int:
    weights = {dimension.name: dimension.weight for dimension in DIMENSIONS}
    return round(sum(weights[item.name] * item.score for item in dimension_scores))


def score_message(*, subject: str, body: str, language: str, facts: MessageFacts) -> EmpathyScore:
    """Score a drafted message on the six dimensions with the phrase lists of its language.

    Rule-based and deterministic, so the offline backend and the tests get the same number
    every time; the subject is read with the body because a name or order id there counts.
    """
    message = _Message(subject, body)
    books = _patterns_for(language)
    dimensions = (
        _presence(
            message,
            [pattern for book in books for pattern in book.feelings],
            "acknowledges_feelings",
            "acknowledges how the customer feels",
            "does not acknowledge how the customer feels",
        ),
        _apologises(message, [pattern for book in books for pattern in book.apologies], facts),
        _presence(
            message,
            [pattern for book in books for pattern in book.ownership],
            "takes_ownership",
            "takes ownership",
            "does not take ownership",
        ),
        _personal(message, facts),
        _next_step(message, books),
        _respectful_tone(message, books, facts),
    )
    return EmpathyScore(total=_total(dimensions), dimensions=dimensions)


def _comparable(text: str) -> str:
    return " ".join(_fold(text).replace("\u2026", " ").split())


def combine_model_ratings(ratings: Mapping[str, tuple[float, str]], *, message: str | None = None) -> EmpathyScore:
    """Turn a model's per-dimension ratings into a score, computing the total here.

    The model is trusted only to rate (0..1, clamped; anything not a finite number counts 0)
    and to quote evidence; weights and the total stay in code so a model cannot inflate the
    number. A dimension the model did not rate counts 0, so leaving one out never helps.
    With `message` (subject and body), quoted evidence must be found in it: a rating that
    quotes words the message does not contain counts 0, so a model cannot praise a draft for
    what it does not say.
    """
    haystack = _comparable(message) if message is not None else None
    dimensions: list[DimensionScore] = []
    for name in DIMENSION_NAMES:
        if name not in ratings:
            dimensions.append(DimensionScore(name, 0.0, "", "not rated"))
            continue
        rating, evidence = ratings[name]
        evidence = str(evidence or "")
        try:
            value = float(rating)
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value):
            dimensions.append(DimensionScore(name, 0.0, _quote_text(evidence), "rating was not a number"))
            continue
        quoted = _comparable(evidence.strip().strip("\"'\u201c\u201d\u00ab\u00bb").rstrip("."))
        if haystack is not None and quoted and quoted not in haystack:
            dimensions.append(
                DimensionScore(name, 0.0, _quote_text(evidence), "the quoted evidence is not in the message")
            )
            continue
        clamped = min(1.0, max(0.0, value))
        reason = "rated by the model" if clamped == value else f"rated by the model ({value:g}, clamped to 0..1)"
        dimensions.append(DimensionScore(name, clamped, _quote_text(evidence), reason))
    return EmpathyScore(total=_total(dimensions), dimensions=tuple(dimensions))
