"""Which language to write outreach in, and what language a customer's own text is in.

Pure functions: no ORM, no request, no network. The customer's profile language comes first
because it is what they chose; their free text (a complaint, a scenario, a webhook message)
is only a witness, so a disagreement is noted for the reviewer rather than acted on.

Detection runs offline. The Indic and Arabic scripts are unambiguous among the supported
languages, so counting letters per Unicode block decides them without any model. Latin text
goes to lingua, restricted to the supported languages so it cannot answer with one we cannot
write in; its n-gram models ship inside the wheel and load lazily on the first Latin text.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from procx_site.languages import OUTREACH_LANGUAGES

# The outreach languages and their English names, in one place (settings.LANGUAGES is built from it).
SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(code for code, _name in OUTREACH_LANGUAGES)
LANGUAGE_NAMES: dict[str, str] = dict(OUTREACH_LANGUAGES)
FALLBACK_LANGUAGE = "en"

# Inclusive code-point ranges of the scripts that by themselves name a supported language.
# Only letters count (str.isalpha), so vowel signs, digits and punctuation do not tip the share.
SCRIPT_BLOCKS: tuple[tuple[int, int, str], ...] = (
    (0x0900, 0x097F, "hi"),  # Devanagari
    (0x0980, 0x09FF, "bn"),  # Bengali
    (0x0B80, 0x0BFF, "ta"),  # Tamil
    (0x0C00, 0x0C7F, "te"),  # Telugu
    (0x0600, 0x06FF, "ar"),  # Arabic
    (0x0750, 0x077F, "ar"),  # Arabic Supplement
)
# A script must hold more than half the letters: an order id or a brand name in Latin letters
# inside a Bengali message must not hand the message to lingua.
SCRIPT_MAJORITY = 0.5
# Below this lingua's top language is as good as a guess; saying "unknown" is more honest.
MIN_LINGUA_CONFIDENCE = 0.5
# Fewer letters than this say nothing about a language ("ok", "?!", "5").
MIN_LETTERS = 3
# A single Latin word ("hotel", "restaurant", "taxi") is shared by several supported languages.
MIN_LATIN_WORDS = 2

_LINGUA_LANGUAGES = (
    Language.ENGLISH,
    Language.SPANISH,
    Language.FRENCH,
    Language.GERMAN,
    Language.HINDI,
    Language.BENGALI,
    Language.TAMIL,
    Language.TELUGU,
    Language.ARABIC,
)
_detector: LanguageDetector | None = None
_detector_lock = threading.Lock()


@dataclass(frozen=True)
class TextDetection:
    """The language of one piece of text and how it was decided.

    `code` is a supported language code or None when the text does not tell;
    `method` is "script", "lingua", "too short" or "empty"; `confidence` is in [0, 1]
    (the script's share of letters, or lingua's confidence; 0 when nothing was detected).
    """

    code: str | None
    method: str
    confidence: float


@dataclass(frozen=True)
class LanguageChoice:
    """The language to write a message in, where it came from, and a note a reviewer can read.

    `code` is always a supported language; `source` is "profile", "detected" or "fallback";
    `detected` is the language of the customer's text when one was detected; `mismatch` is True
    when that differs from the profile language the message is still written in.
    """

    code: str
    source: str
    detected: str | None
    mismatch: bool
    note: str


def _detector_loaded() -> bool:
    """Whether the lingua detector has been built (tests check that script text never builds it)."""
    return _detector is not None


def _lingua_detector() -> LanguageDetector:
    """Build the restricted lingua detector once per process.

    Models are not preloaded: lazily loading them costs about 0.4 s on the first Latin text
    and keeps only the Latin-script languages' models in memory (preloading all nine doubles
    the resident memory for no gain, since script text never reaches lingua).
    """
    global _detector
    if _detector is None:
        with _detector_lock:
            if _detector is None:
                _detector = LanguageDetectorBuilder.from_languages(*_LINGUA_LANGUAGES).build()
    return _detector


def _script_language(letters: list[str]) -> tuple[str | None, float]:
    """The script language holding the most letters, and its share of all letters."""
    counts: dict[str, int] = {}
    for letter in letters:
        code_point = ord(letter)
        for first, last, code in SCRIPT_BLOCKS:
            if first <= code_point <= last:
                counts[code] = counts.get(code, 0) + 1
                break
    if not counts:
        return None, 0.0
    code = max(counts, key=counts.__getitem__)
    return code, counts[code] / len(letters)


def detect_text_language(text: str) -> TextDetection:
    """Detect the supported language a customer's text is written in, offline.

    Script first (cheap and certain for Hindi, Bengali, Tamil, Telugu and Arabic), then lingua
    for Latin text. Returns code None rather than a guess when the text is empty, too short,
    or lingua is not confident.
    """
    if not text or not text.strip():
        return TextDetection(code=None, method="empty", confidence=0.0)
    letters = [character for character in text if character.isalpha()]
    if len(letters) < MIN_LETTERS:
        return TextDetection(code=None, method="too short", confidence=0.0)

    script_code, share = _script_language(letters)
    if script_code is not None and share > SCRIPT_MAJORITY:
        return TextDetection(code=script_code, method="script", confidence=share)

    if len(text.split()) < MIN_LATIN_WORDS:
        return TextDetection(code=None, method="too short", confidence=0.0)
    confidence_values = _lingua_detector().compute_language_confidence_values(text)
    if not confidence_values or confidence_values[0].value < MIN_LINGUA_CONFIDENCE:
        top_confidence = confidence_values[0].value if confidence_values else 0.0
        return TextDetection(code=None, method="lingua", confidence=top_confidence)
    top = confidence_values[0]
    return TextDetection(code=top.language.iso_code_639_1.name.lower(), method="lingua", confidence=top.value)


def normalize_language_code(value: str | None) -> str | None:
    """The primary subtag of a language tag, lowercased ("en-GB", "pt_BR", " EN " -> "en", "pt", "en").

    None for a missing or blank value, so callers treat "" like no profile language at all.
    """
    if value is None:
        return None
    primary = value.strip().replace("_", "-").split("-")[0].strip().lower()
    return primary or None


def language_label(code: str) -> str:
    """A name a reviewer recognises: "Bengali" for a supported code, "Swahili (sw)" for another
    ISO 639-1 code, and the quoted code itself when it is not one."""
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    try:
        language = Language.from_iso_code_639_1(IsoCode639_1.from_str(code))
    except ValueError:
        return f'"{code}"'
    return f"{language.name.capitalize()} ({code})"


def resolve_language(*, profile_language: str | None, text: str | None = None) -> LanguageChoice:
    """Choose the language to write to a customer in.

    The profile language wins when it is supported: it is what the customer chose, and one
    message in another language (a forwarded email, a colleague's note) should not switch it,
    so a disagreement is only noted. Without a profile language the customer's text decides.
    Anything we cannot write in falls back to English, and the note says why.
    """
    profile_code = normalize_language_code(profile_language)
    detection = detect_text_language(text) if text else None
    detected = detection.code if detection is not None else None

    if profile_code in SUPPORTED_LANGUAGES:
        profile_name = LANGUAGE_NAMES[profile_code]
        if detected is not None and detected != profile_code:
            note = (
                f"message written in {LANGUAGE_NAMES[detected]} but the profile says {profile_name}: "
                f"answering in {profile_name} (the customer's profile language)"
            )
            return LanguageChoice(code=profile_code, source="profile", detected=detected, mismatch=True, note=note)
        return LanguageChoice(
            code=profile_code,
            source="profile",
            detected=detected,
            mismatch=False,
            note=f"profile language {profile_name}",
        )

    fallback_name = LANGUAGE_NAMES[FALLBACK_LANGUAGE]
    if profile_code is not None:
        note = f"profile language {language_label(profile_code)} is not supported: answering in {fallback_name}"
        if detected is not None:
            note += f" (the message is in {LANGUAGE_NAMES[detected]})"
        return LanguageChoice(code=FALLBACK_LANGUAGE, source="fallback", detected=detected, mismatch=False, note=note)

    if detected is not None:
        return LanguageChoice(
            code=detected,
            source="detected",
            detected=detected,
            mismatch=False,
            note=f"no profile language; detected {LANGUAGE_NAMES[detected]} from the message",
        )
    if detection is None:
        reason = "no message to detect from"
    elif detection.method in ("empty", "too short"):
        reason = f"the message is {detection.method}"
    else:
        reason = "the message's language could not be detected"
    return LanguageChoice(
        code=FALLBACK_LANGUAGE,
        source="fallback",
        detected=None,
        mismatch=False,
        note=f"no profile language and {reason}: answering in {fallback_name}",
    )
