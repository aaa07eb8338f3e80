"""The empathy rubric: a warm, specific message scores high and a cold or shouting one low,
in every language we write to customers in, and the total is always computed in code."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from interventions.empathy import (
    DIMENSION_NAMES,
    DIMENSIONS,
    EMPATHY_THRESHOLD,
    EVIDENCE_CHARS,
    EmpathyScore,
    MessageFacts,
    combine_model_ratings,
    score_message,
)
from interventions.lexicons import LEXICONS

FACTS = MessageFacts(customer_name="Priya Sharma", references=("O300123",), something_went_wrong=True)

WARM_ENGLISH = (
    "Dear Priya, I'm so sorry your order O300123 arrived late — I understand how frustrating that must be. "
    "I have arranged a replacement and will call you by 5 pm tomorrow to confirm it is on its way."
)

# One dimension per sentence, so a test can take one away and see only that dimension move.
GREETING = "Dear Priya,"
FEELINGS = "I understand how frustrating this must be."
APOLOGY = "I'm sorry it arrived late."
OWNERSHIP = "I have arranged a replacement myself."
REFERENCE = "Order O300123 is now at the top of the list."
NEXT_STEP = "You will receive a call by 5 pm tomorrow."
PARTS = (GREETING, FEELINGS, APOLOGY, OWNERSHIP, REFERENCE, NEXT_STEP)


def _score(body: str, *, language: str = "en", facts: MessageFacts = FACTS, subject: str = "") -> EmpathyScore:
    return score_message(subject=subject, body=body, language=language, facts=facts)


def _scores_by_name(score: EmpathyScore) -> dict[str, float]:
    return {item.name: item.score for item in score.dimensions}


def test_the_weights_sum_to_100_in_the_documented_order() -> None:
    assert sum(dimension.weight for dimension in DIMENSIONS) == 100
    assert DIMENSION_NAMES == (
        "acknowledges_feelings",
        "apologises",
        "takes_ownership",
        "personal",
        "next_step_with_time",
        "respectful_tone",
    )


def test_a_warm_specific_english_message_scores_high() -> None:
    score = _score(WARM_ENGLISH)

    assert score.total >= 80
    assert score.total >= EMPATHY_THRESHOLD
    assert all(item.score == 1.0 for item in score.dimensions), score.as_dict()
    assert "5 pm tomorrow" in score.dimension("next_step_with_time").evidence


def test_a_cold_message_scores_low() -> None:
    score = _score("Your order is delayed. Refer to our policy.")

    assert score.total <= 40
    assert score.total < EMPATHY_THRESHOLD
    assert score.dimension("respectful_tone").score < 1.0
    assert "policy" in score.dimension("respectful_tone").evidence


def test_a_shouting_message_with_blame_scores_low_and_loses_its_tone() -> None:
    score = _score("YOU SHOULD HAVE READ THE POLICY!!!")

    assert score.total <= 20
    assert score.dimension("respectful_tone").score <= 0.2
    assert "shouting" in score.dimension("respectful_tone").reason


def test_the_same_warm_words_in_capitals_lose_only_tone_points() -> None:
    calm = _score(WARM_ENGLISH)
    shouted = _score(WARM_ENGLISH.upper())

    assert shouted.dimension("respectful_tone").score < calm.dimension("respectful_tone").score
    assert shouted.total < calm.total


def test_one_shouted_word_costs_less_than_a_shouted_message_and_acronyms_cost_nothing() -> None:
    acronym = _score(WARM_ENGLISH + " The refund goes out by NEFT.")
    one_word = _score(WARM_ENGLISH + " This is URGENT for us.")

    assert acronym.dimension("respectful_tone").score == 1.0
    assert one_word.dimension("respectful_tone").score == pytest.approx(0.8)
    assert one_word.dimension("respectful_tone").evidence == "URGENT"


def test_the_full_message_gets_full_marks_on_every_dimension() -> None:
    score = _score(" ".join(PARTS))

    assert score.total == 100


@pytest.mark.parametrize(
    ("dimension", "left_out"),
    [
        ("acknowledges_feelings", FEELINGS),
        ("apologises", APOLOGY),
        ("takes_ownership", OWNERSHIP),
        ("next_step_with_time", NEXT_STEP),
    ],
)
def test_leaving_out_one_dimension_lowers_that_dimension_only(dimension: str, left_out: str) -> None:
    full = _scores_by_name(_score(" ".join(PARTS)))
    without = _score(" ".join(part for part in PARTS if part != left_out))
    changed = {name for name, value in _scores_by_name(without).items() if value != full[name]}

    assert changed == {dimension}
    assert without.dimension(dimension).score == 0.0
    assert without.total == 100 - next(item.weight for item in DIMENSIONS if item.name == dimension)


def test_a_next_step_without_a_time_earns_partial_credit() -> None:
    vague = " ".join(part if part != NEXT_STEP else "You will receive a call soon." for part in PARTS)
    score = _score(vague)

    assert 0.0 < score.dimension("next_step_with_time").score < 1.0
    assert score.dimension("next_step_with_time").reason == "a next step but no time"


def test_missing_name_or_references_lower_personal() -> None:
    full = _score(" ".join(PARTS))
    no_name = _score(" ".join(part for part in PARTS if part != GREETING))
    facts_two_references = MessageFacts(customer_name="Priya Sharma", references=("O300123", "T-4417"))
    one_reference_missing = _score(" ".join(PARTS), facts=facts_two_references)

    assert full.dimension("personal").score == 1.0
    assert no_name.dimension("personal").score == pytest.approx(0.5)
    assert one_reference_missing.dimension("personal").score == pytest.approx(2 / 3)
    assert "T-4417" in one_reference_missing.dimension("personal").reason
    assert one_reference_missing.total < full.total


def test_a_reference_in_the_subject_or_with_other_separators_counts() -> None:
    facts = MessageFacts(customer_name="Priya", references=("O300123", "1499"))
    score = _score("Dear Priya, we refunded ₹1,499 today.", subject="Your order O300123", facts=facts)

    assert score.dimension("personal").score == 1.0


def test_blame_and_policy_quoting_lower_tone() -> None:
    polite = _score(" ".join(PARTS))
    blaming = _score(" ".join(PARTS) + " As per our policy, you should have checked the address.")

    assert polite.dimension("respectful_tone").score == 1.0
    assert blaming.dimension("respectful_tone").score == pytest.approx(0.4)
    assert blaming.total < polite.total


def test_several_exclamation_marks_lower_tone() -> None:
    score = _score(" ".join(PARTS) + " Thanks!!")

    assert score.dimension("respectful_tone").score == pytest.approx(0.8)


def test_no_apology_is_needed_when_nothing_went_wrong_but_grovelling_is_marked_down() -> None:
    nothing_wrong = MessageFacts(customer_name="Priya Sharma", references=("O300123",), something_went_wrong=False)
    no_apology = _score(" ".join(part for part in PARTS if part != APOLOGY), facts=nothing_wrong)
    grovelling = _score(" ".join(PARTS) + " Our apologies again, we are so sorry.", facts=nothing_wrong)

    assert no_apology.dimension("apologises").score == 1.0
    assert grovelling.dimension("apologises").score == pytest.approx(0.5)


# Warm, specific messages written natively: feelings, an apology, ownership, the customer's
# name, the order id and a next step with a time.
WARM_MESSAGES = {
    "hi": (
        "प्रिया",
        "प्रिया जी, आपका ऑर्डर O300123 देर से पहुँचा, इसके लिए हमें सच में खेद है। "
        "मैं समझ सकती हूँ कि यह कितना निराशाजनक रहा होगा। "
        "मैंने आपके लिए नया पैकेज भिजवाने की व्यवस्था कर दी है और मैं कल शाम 5 बजे तक आपको फ़ोन करूँगी।",
    ),
    "bn": (
        "প্রিয়া",
        "প্রিয়া, আপনার অর্ডার O300123 দেরিতে পৌঁছানোর জন্য আমরা সত্যিই দুঃখিত। "
        "আমি বুঝতে পারছি এটা কতটা হতাশাজনক ছিল। "
        "আমি নিজে একটি নতুন পণ্য পাঠানোর ব্যবস্থা করেছি, এবং আগামীকাল বিকেল ৫টার মধ্যে আপনাকে ফোন করব।",
    ),
    "ta": (
        "பிரியா",
        "பிரியா, உங்கள் ஆர்டர் O300123 தாமதமாக வந்ததற்கு மன்னிக்கவும். "
        "இது உங்களுக்கு எவ்வளவு ஏமாற்றமாக இருந்திருக்கும் என்று புரிகிறது. "
        "மாற்றுப் பொருளை அனுப்ப நான் ஏற்பாடு செய்துள்ளேன், நாளை மாலை 5 மணிக்குள் உங்களை அழைப்பேன்.",
    ),
    "te": (
        "ప్రియా",
        "ప్రియా గారు, మీ ఆర్డర్ O300123 ఆలస్యంగా వచ్చినందుకు క్షమించండి. "
        "ఇది మీకు ఎంత నిరాశ కలిగించిందో నేను అర్థం చేసుకోగలను. "
        "నేను స్వయంగా కొత్త వస్తువు పంపే ఏర్పాటు చేశాను, రేపు సాయంత్రం 5 గంటలకు మీకు ఫోన్ చేస్తాను.",
    ),
    "es": (
        "Priya",
        "Hola, Priya: lamento muchísimo que tu pedido O300123 haya llegado tarde. "
        "Entiendo lo frustrante que debe de ser. "
        "Ya he organizado un reemplazo y te llamaré mañana antes de las 17:00.",
    ),
    # French typography: curly apostrophes on purpose, to check they match "c'est" and "j'ai".
    "fr": (
        "Priya",
        "Bonjour Priya, je suis vraiment désolée que votre commande O300123 soit arrivée en retard. "
        "Je comprends à quel point c\u2019est frustrant. "
        "J\u2019ai personnellement organisé un remplacement et je vous appellerai demain avant 17 h.",
    ),
    "de": (
        "Priya",
        "Liebe Priya, es tut mir sehr leid, dass Ihre Bestellung O300123 verspätet angekommen ist. "
        "Ich kann gut verstehen, wie ärgerlich das ist. "
        "Ich habe persönlich eine Ersatzlieferung veranlasst und werde Sie morgen bis 17 Uhr anrufen.",
    ),
    "ar": (
        "بريا",
        "عزيزتي بريا، نعتذر بشدة عن تأخر طلبك O300123. "
        "أتفهم تمامًا مدى الإحباط الذي سببه لك ذلك. "
        "لقد قمت شخصيًا بترتيب شحنة بديلة، وسأتصل بك غدًا قبل الساعة 5 مساءً.",
    ),
}


@pytest.mark.parametrize("language", sorted(WARM_MESSAGES))
def test_a_warm_message_scores_high_in_its_own_language(language: str) -> None:
    name, body = WARM_MESSAGES[language]
    facts = MessageFacts(customer_name=name, references=("O300123",))
    score = _score(body, language=language, facts=facts)

    assert score.total >= 70, score.as_dict()
    assert score.total >= EMPATHY_THRESHOLD


@pytest.mark.parametrize("language", sorted(WARM_MESSAGES))
def test_a_cold_message_scores_low_in_its_own_language(language: str) -> None:
    name, _ = WARM_MESSAGES[language]
    cold = {
        "hi": "आपका ऑर्डर लेट है। हमारी नीति के अनुसार कुछ नहीं कर सकते।",
        "bn": "আপনার অর্ডার দেরি হয়েছে। আমাদের নীতি অনুযায়ী কিছুই করার নেই।",
        "ta": "உங்கள் ஆர்டர் தாமதமாகிறது. எங்கள் கொள்கையின்படி எதுவும் செய்ய முடியாது.",
        "te": "మీ ఆర్డర్ ఆలస్యమైంది. మా విధానం ప్రకారం ఏమీ చేయలేము.",
        "es": "Su pedido está retrasado. Según nuestra política no podemos hacer nada.",
        "fr": "Votre commande est en retard. Selon notre politique, nous ne pouvons rien faire.",
        "de": "Ihre Bestellung ist verspätet. Gemäß unseren Richtlinien können wir nichts tun.",
        "ar": "طلبك متأخر. حسب سياستنا لا يمكننا فعل شيء.",
    }[language]
    score = _score(cold, language=language, facts=MessageFacts(customer_name=name, references=("O300123",)))

    assert score.total <= 40, score.as_dict()
    assert score.dimension("respectful_tone").score < 1.0


def test_devanagari_digits_in_an_order_id_count_as_the_reference() -> None:
    facts = MessageFacts(customer_name="प्रिया", references=("300123",))
    score = _score("प्रिया जी, आपका ऑर्डर ३००१२३ आज भेजा जाएगा।", language="hi", facts=facts)

    assert score.dimension("personal").score == 1.0


def test_a_regional_language_code_uses_that_languages_phrases() -> None:
    name, body = WARM_MESSAGES["es"]
    facts = MessageFacts(customer_name=name, references=("O300123",))

    assert _score(body, language="es-MX", facts=facts).total == _score(body, language="es", facts=facts).total


def test_scores_differ_across_different_messages() -> None:
    bodies = [
        WARM_ENGLISH,
        "Your order is delayed. Refer to our policy.",
        "YOU SHOULD HAVE READ THE POLICY!!!",
        " ".join(part for part in PARTS if part != NEXT_STEP),
        " ".join(part for part in PARTS if part not in (FEELINGS, APOLOGY)),
        "Dear Priya, your order O300123 will arrive tomorrow.",
    ]
    totals = [_score(body).total for body in bodies]

    assert len(set(totals)) == len(totals), totals


def test_evidence_is_quoted_from_the_message_and_trimmed() -> None:
    long_sentence = "I understand how frustrating " + "and truly disheartening " * 10 + "this delay has been."
    score = _score(long_sentence)
    evidence = score.dimension("acknowledges_feelings").evidence

    assert len(evidence) <= EVIDENCE_CHARS
    assert "I understand" in evidence


def test_combine_model_ratings_computes_the_total_in_code() -> None:
    ratings = {
        "acknowledges_feelings": (1.0, "I understand how frustrating"),
        "apologises": (0.5, "sorry"),
        "takes_ownership": (1.0, "I have arranged"),
        "personal": (0.5, "Dear Priya"),
        "next_step_with_time": (0.0, ""),
        "respectful_tone": (1.0, ""),
    }
    score = combine_model_ratings(ratings)

    assert score.total == round(15 + 7.5 + 15 + 10 + 0 + 15)
    assert score.dimension("apologises").evidence == "sorry"


def test_combine_model_ratings_clamps_out_of_range_ratings_and_counts_unrated_as_zero() -> None:
    score = combine_model_ratings(
        {
            "acknowledges_feelings": (7.0, "x"),
            "apologises": (-2.0, ""),
            "personal": (float("nan"), ""),
            "respectful_tone": (1.0, "y" * 500),
        }
    )

    assert score.dimension("acknowledges_feelings").score == 1.0
    assert "clamped" in score.dimension("acknowledges_feelings").reason
    assert score.dimension("apologises").score == 0.0
    assert score.dimension("personal").score == 0.0
    assert score.dimension("takes_ownership").reason == "not rated"
    assert score.dimension("next_step_with_time").reason == "not rated"
    assert len(score.dimension("respectful_tone").evidence) <= EVIDENCE_CHARS
    assert score.total == 15 + 15


def test_as_dict_is_json_serialisable() -> None:
    data = json.loads(json.dumps(_score(WARM_ENGLISH).as_dict()))

    assert data["total"] == _score(WARM_ENGLISH).total
    assert [item["name"] for item in data["dimensions"]] == list(DIMENSION_NAMES)
    assert {"label", "weight", "score", "evidence", "reason"} <= set(data["dimensions"][0])


def test_a_model_rating_that_quotes_words_the_message_does_not_contain_counts_zero() -> None:
    message = "About order O300123\nDear Priya, I\u2019m so sorry. I will call you today at 5 pm."
    ratings = {
        "acknowledges_feelings": (1.0, "I understand how frustrating this is"),  # not in the message
        "apologises": (1.0, "\u201cI'm so sorry.\u201d"),  # curly quotes and apostrophe, trailing dot
        "personal": (1.0, "dear priya"),
        "next_step_with_time": (1.0, "I will call you today at 5 pm"),
        "takes_ownership": (1.0, "I will call you \u2026"),
        "respectful_tone": (1.0, ""),  # nothing to quote for an absence of blame
    }
    score = combine_model_ratings(ratings, message=message)
    assert score.dimension("acknowledges_feelings").score == 0.0
    assert score.dimension("acknowledges_feelings").reason == "the quoted evidence is not in the message"
    for name in ("apologises", "personal", "next_step_with_time", "takes_ownership", "respectful_tone"):
        assert score.dimension(name).score == 1.0, name
    assert score.total == 85
    assert combine_model_ratings(ratings).total == 100  # without the message nothing can be checked


@pytest.mark.parametrize(("code", "_name"), settings.LANGUAGES)
def test_every_outreach_language_has_a_lexicon_with_all_six_lists(code, _name) -> None:
    lexicon = LEXICONS[code]

    for name in ("FEELINGS", "APOLOGIES", "OWNERSHIP", "FUTURE_ACTIONS", "TIME_EXPRESSIONS", "BLAME"):
        phrases = getattr(lexicon, name)
        assert isinstance(phrases, tuple), (code, name)
        assert all(isinstance(phrase, str) and phrase for phrase in phrases), (code, name)
    for name in ("FEELINGS", "APOLOGIES", "OWNERSHIP", "FUTURE_ACTIONS"):
        assert getattr(lexicon, name), f"{code} has no {name}: the rubric could not find it in any message"
