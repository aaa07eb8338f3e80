"""Offline language detection and the choice of language for outreach (pure: no DB, no network)."""

from __future__ import annotations

import time

import pytest

from interventions import language
from interventions.language import (
    LANGUAGE_NAMES,
    SUPPORTED_LANGUAGES,
    LanguageChoice,
    detect_text_language,
    resolve_language,
)

NATIVE_SCRIPT_SENTENCES = {
    "bn": "আমার অর্ডার এখনও আসেনি, আমি খুব হতাশ।",
    "hi": "मेरा ऑर्डर अभी तक नहीं आया है, कृपया जल्दी बताइए।",
    "ta": "என் ஆர்டர் இன்னும் வரவில்லை, நான் மிகவும் ஏமாற்றமடைந்தேன்.",
    "te": "నా ఆర్డర్ ఇంకా రాలేదు, దయచేసి త్వరగా చెప్పండి.",
    "ar": "لم يصل طلبي حتى الآن، وأنا منزعج جدا من الخدمة.",
}
LATIN_SENTENCES = {
    "es": "Mi pedido llegó tarde otra vez y nadie me responde.",
    "fr": "Ma commande est encore arrivée en retard et personne ne me répond.",
    "de": "Meine Bestellung kam schon wieder zu spät und niemand antwortet mir.",
    "en": "My order arrived late again and nobody answers my emails.",
}


def test_every_supported_language_has_a_name() -> None:
    assert set(LANGUAGE_NAMES) == set(SUPPORTED_LANGUAGES)


@pytest.mark.parametrize(("expected", "sentence"), NATIVE_SCRIPT_SENTENCES.items())
def test_it_detects_native_script_sentences_by_script(expected: str, sentence: str) -> None:
    detection = detect_text_language(sentence)

    assert detection.code == expected
    assert detection.method == "script"
    assert detection.confidence == pytest.approx(1.0)


@pytest.mark.parametrize(("expected", "sentence"), LATIN_SENTENCES.items())
def test_it_detects_latin_complaints_with_lingua(expected: str, sentence: str) -> None:
    detection = detect_text_language(sentence)

    assert detection.code == expected
    assert detection.method == "lingua"
    assert detection.confidence >= 0.5


def test_an_order_id_in_latin_letters_does_not_outvote_the_bengali_script() -> None:
    detection = detect_text_language("আমার অর্ডার ORD-48213 এখনও পৌঁছায়নি। কবে পাব জানাবেন?")

    assert detection.code == "bn"
    assert detection.method == "script"
    assert 0.5 < detection.confidence < 1.0


def test_a_latin_majority_goes_to_lingua_even_with_a_hindi_word_in_it() -> None:
    detection = detect_text_language("My order still has not arrived and I am very upset, नमस्ते")

    assert detection.code == "en"
    assert detection.method == "lingua"


def test_the_script_with_the_most_letters_wins_between_two_native_scripts() -> None:
    detection = detect_text_language("আমার অর্ডার এখনও আসেনি, আমি খুব হতাশ। नमस्ते")

    assert detection.code == "bn"
    assert detection.method == "script"


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_text_is_reported_as_empty(text: str) -> None:
    assert detect_text_language(text) == language.TextDetection(code=None, method="empty", confidence=0.0)


@pytest.mark.parametrize("text", ["ok", "?!", "42", "hotel", "Danke!"])
def test_too_short_text_is_not_guessed(text: str) -> None:
    detection = detect_text_language(text)

    assert detection.code is None
    assert detection.method == "too short"


def test_a_three_letter_native_script_word_is_enough_for_the_script_rule() -> None:
    assert detect_text_language("নমস্কার").code == "bn"


def test_latin_detection_is_fast_once_warm() -> None:
    text = (LATIN_SENTENCES["es"] + " " + LATIN_SENTENCES["es"] + " " + LATIN_SENTENCES["es"] + " Gracias.")[:200]
    detect_text_language(text)  # warm-up: lingua loads its Latin-script models lazily

    started = time.perf_counter()
    for _ in range(20):
        detect_text_language(text)
    per_call = (time.perf_counter() - started) / 20

    assert per_call < 0.02


def test_script_text_never_loads_lingua(monkeypatch: pytest.MonkeyPatch) -> None:
    # As in a fresh process: no detector built yet (monkeypatch puts the warm one back afterwards).
    monkeypatch.setattr(language, "_detector", None)

    for sentence in NATIVE_SCRIPT_SENTENCES.values():
        detect_text_language(sentence)
    assert not language._detector_loaded()

    detect_text_language(LATIN_SENTENCES["fr"])
    assert language._detector_loaded()


def test_a_supported_profile_language_is_used() -> None:
    choice = resolve_language(profile_language="bn")

    assert choice == LanguageChoice(
        code="bn", source="profile", detected=None, mismatch=False, note="profile language Bengali"
    )


def test_a_message_in_the_profile_language_is_not_a_mismatch() -> None:
    choice = resolve_language(profile_language="hi", text=NATIVE_SCRIPT_SENTENCES["hi"])

    assert (choice.code, choice.source, choice.detected, choice.mismatch) == ("hi", "profile", "hi", False)


def test_the_profile_language_wins_over_the_message_and_the_mismatch_is_noted() -> None:
    choice = resolve_language(profile_language="en", text=NATIVE_SCRIPT_SENTENCES["hi"])

    assert choice.code == "en"
    assert choice.source == "profile"
    assert choice.detected == "hi"
    assert choice.mismatch is True
    assert choice.note == (
        "message written in Hindi but the profile says English: answering in English (the customer's profile language)"
    )


@pytest.mark.parametrize("profile_language", ["en-GB", "EN", " en_US ", "en-gb"])
def test_a_regional_or_untidy_profile_tag_uses_its_primary_language(profile_language: str) -> None:
    choice = resolve_language(profile_language=profile_language)

    assert (choice.code, choice.source, choice.note) == ("en", "profile", "profile language English")


def test_an_unsupported_profile_language_falls_back_to_english_and_says_why() -> None:
    choice = resolve_language(profile_language="sw")

    assert choice.code == "en"
    assert choice.source == "fallback"
    assert choice.mismatch is False
    assert choice.note == "profile language Swahili (sw) is not supported: answering in English"


def test_an_unsupported_profile_language_falls_back_even_when_the_message_is_supported() -> None:
    choice = resolve_language(profile_language="pt-BR", text=LATIN_SENTENCES["es"])

    assert (choice.code, choice.source, choice.detected) == ("en", "fallback", "es")
    assert choice.note == (
        "profile language Portuguese (pt) is not supported: answering in English (the message is in Spanish)"
    )


def test_an_unknown_profile_code_is_quoted_in_the_fallback_note() -> None:
    choice = resolve_language(profile_language="xx")

    assert (choice.code, choice.source) == ("en", "fallback")
    assert choice.note == 'profile language "xx" is not supported: answering in English'


@pytest.mark.parametrize("profile_language", [None, "", "  "])
def test_without_a_profile_language_the_detected_language_is_used(profile_language: str | None) -> None:
    choice = resolve_language(profile_language=profile_language, text=LATIN_SENTENCES["es"])

    assert choice == LanguageChoice(
        code="es",
        source="detected",
        detected="es",
        mismatch=False,
        note="no profile language; detected Spanish from the message",
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, "no message to detect from"),
        ("", "no message to detect from"),
        ("   ", "the message is empty"),
        ("ok", "the message is too short"),
    ],
)
def test_without_a_profile_language_or_usable_text_it_falls_back_to_english(text: str | None, reason: str) -> None:
    choice = resolve_language(profile_language=None, text=text)

    assert (choice.code, choice.source, choice.detected, choice.mismatch) == ("en", "fallback", None, False)
    assert choice.note == f"no profile language and {reason}: answering in English"


def test_without_a_profile_language_an_undetectable_latin_text_falls_back_to_english() -> None:
    choice = resolve_language(profile_language=None, text="12345 67890 !!! ORD-1 ORD-2")

    assert (choice.code, choice.source, choice.detected) == ("en", "fallback", None)
    assert "could not be detected" in choice.note


@pytest.mark.parametrize("profile_language", [None, "", "en", "en-GB", "bn", "sw", "xx"])
@pytest.mark.parametrize("text", [None, "", "  ", "ok", *NATIVE_SCRIPT_SENTENCES.values(), *LATIN_SENTENCES.values()])
def test_the_choice_is_always_supported_and_the_note_never_says_none(
    profile_language: str | None, text: str | None
) -> None:
    choice = resolve_language(profile_language=profile_language, text=text)

    assert choice.code in SUPPORTED_LANGUAGES
    assert choice.source in ("profile", "detected", "fallback")
    assert "None" not in choice.note
    assert choice.note
