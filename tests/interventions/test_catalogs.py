"""The outreach catalogs: one per language in settings.LANGUAGES, complete, compiled in step,
with the CLDR plural rule; and the counts they hold pick the form CLDR says."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

from interventions.agents.templates import MessageFocus, focus_sentence, offline_message
from tests.interventions.builders import order
from tests.interventions.test_templates import case, decision

CODES = [code for code, _name in settings.LANGUAGES]
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"

# CLDR's plural rules for whole numbers, as gettext expressions.
PLURAL_FORMS = {
    "en": "nplurals=2; plural=(n != 1);",
    "de": "nplurals=2; plural=(n != 1);",
    "ta": "nplurals=2; plural=(n != 1);",
    "te": "nplurals=2; plural=(n != 1);",
    "hi": "nplurals=2; plural=(n > 1);",
    "bn": "nplurals=2; plural=(n > 1);",
    "es": "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);",
    "fr": "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;",
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
}
# gettext numbers a language's forms in CLDR's order of categories.
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def po_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / "django.po"


def read_catalog(code: str):
    with po_path(code).open("rb") as handle:
        return read_po(handle, locale=code)


def forms(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def translations(mo_bytes: bytes) -> gettext.GNUTranslations:
    return gettext.GNUTranslations(io.BytesIO(mo_bytes))


def test_every_outreach_language_has_a_catalog_and_no_catalog_is_for_another_language() -> None:
    assert sorted(path.name for path in LOCALE_DIR.iterdir() if path.is_dir()) == sorted(CODES)
    for code in CODES:
        assert po_path(code).is_file(), code
        assert po_path(code).with_suffix(".mo").is_file(), (
            f"{code}: compile it with msgfmt or manage.py compilemessages"
        )


@pytest.mark.parametrize("code", CODES)
def test_the_compiled_catalog_is_in_step_with_its_po_file(code) -> None:
    catalog = read_catalog(code)
    for message in list(catalog):
        # msgfmt leaves untranslated entries out (all of English, the source language).
        if message.id and not all(forms(message)):
            catalog.delete(message.id, context=message.context)
    compiled_now = io.BytesIO()
    write_mo(compiled_now, catalog)
    expected = translations(compiled_now.getvalue())
    committed = translations(po_path(code).with_suffix(".mo").read_bytes())

    def messages(compiled: gettext.GNUTranslations) -> dict:
        return {key: value for key, value in compiled._catalog.items() if key != ""}  # "" is the header

    assert messages(committed) == messages(expected), f"{code}: django.mo is out of date, recompile django.po"
    assert committed.info()["plural-forms"] == PLURAL_FORMS[code]


@pytest.mark.parametrize("code", CODES)
def test_every_catalog_has_the_cldr_plural_rule_of_its_language(code) -> None:
    catalog = read_catalog(code)
    assert catalog.plural_forms == PLURAL_FORMS[code]

    plural = gettext.c2py(PLURAL_FORMS[code].split("plural=", 1)[1].rstrip(";"))
    rule = Locale.parse(code).plural_form
    categories = [category for category in CLDR_ORDER if category in rule.tags | {"other"}]
    assert len(categories) == catalog.num_plurals
    for n in [*range(0, 1001), 1_000_000, 2_000_000]:
        assert categories[plural(n)] == rule(n), (code, n)


@pytest.mark.parametrize("code", [code for code in CODES if code != "en"])
def test_every_sentence_is_translated_with_the_same_placeholders(code) -> None:
    source = {(message.context, message.id): message for message in read_catalog("en") if message.id}
    catalog = {(message.context, message.id): message for message in read_catalog(code) if message.id}

    assert set(catalog) == set(source)
    for key, message in catalog.items():
        written = forms(message)
        assert all(written), (code, key)
        wanted = set(PLACEHOLDER.findall(message.id if isinstance(message.id, str) else message.id[1]))
        for form in written:
            # A form for exactly one or two may spell its number out ("قبل يومين").
            assert set(PLACEHOLDER.findall(form)) <= wanted, (code, key, form)
        if isinstance(message.id, str):
            assert set(PLACEHOLDER.findall(written[0])) == wanted, (code, key)


# How long ago an Arabic customer last ordered, in the offline message's own sentence. CLDR:
# 0 zero, 1 one, 2 two (the dual), 3-10 few, 11-99 many, 100-102 other; 103 ends in 3, so few.
ARABIC_LAST_ORDER = [
    (0, "كان آخر طلب لك لدينا، O300002، قبل 0 يوم."),
    (1, "كان آخر طلب لك لدينا، O300002، قبل يوم واحد."),
    (2, "كان آخر طلب لك لدينا، O300002، قبل يومين."),
    (3, "كان آخر طلب لك لدينا، O300002، قبل 3 أيام."),
    (11, "كان آخر طلب لك لدينا، O300002، قبل 11 يومًا."),
    (101, "كان آخر طلب لك لدينا، O300002، قبل 101 يوم."),
    (103, "كان آخر طلب لك لدينا، O300002، قبل 103 أيام."),
]


@pytest.mark.parametrize(("days", "sentence"), ARABIC_LAST_ORDER)
def test_arabic_counts_days_by_the_cldr_plural_rule(days, sentence) -> None:
    focus = MessageFocus(kind="quiet", order_id="O300002", days=days)

    assert focus_sentence(focus, language="ar", went_wrong=True) == sentence


@pytest.mark.parametrize(("days", "sentence"), [row for row in ARABIC_LAST_ORDER if row[0] >= 2])
def test_an_arabic_win_back_message_names_the_days_in_the_right_form(days, sentence) -> None:
    # One day is not "quiet" (the message then names the recent order), so 0 and 1 are above.
    ctx, patterns = case("win_back", "ar", orders=(order("O300002", days),))
    message = offline_message(context=ctx, patterns=patterns, decision=decision("win_back"))

    assert sentence in message.body


@pytest.mark.parametrize(
    ("code", "sentence"),
    [
        ("en", "Your last order with us, O300002, was 1,500 days ago."),
        ("de", "Ihre letzte Bestellung bei uns, O300002, liegt 1.500 Tage zurück."),
        ("fr", "Votre dernière commande chez nous, O300002, remonte à 1\u202f500 jours."),
        ("hi", "हमारे साथ आपका पिछला ऑर्डर, O300002, 1,500 दिन पहले आया था।"),
    ],
)
def test_a_count_is_written_the_way_the_language_writes_numbers(code, sentence) -> None:
    focus = MessageFocus(kind="quiet", order_id="O300002", days=1500)

    assert focus_sentence(focus, language=code, went_wrong=True) == sentence


def test_drafting_in_another_language_leaves_the_staff_pages_in_english() -> None:
    ctx, patterns = case("payment_assistance", "de")
    offline_message(context=ctx, patterns=patterns, decision=decision("payment_assistance"))

    assert translation.get_language() == settings.LANGUAGE_CODE
