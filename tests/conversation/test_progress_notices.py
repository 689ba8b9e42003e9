"""The progress notices of the lender's decisions: each passes the scam lint in both languages, names the
hotline, states an amount only rounded, asks for nothing and sets no deadline."""

from __future__ import annotations

import pytest

from smsbot.config import load_settings
from smsbot.conversation.catalogue import LANGS, load_catalogue
from smsbot.conversation.lint import lint
from smsbot.conversation.texts import NoticeFacts, render_text
from smsbot.delivery.segments import measure
from smsbot.models import utcnow
from states.decisions import NOTICE_TEMPLATES, WITH_AMOUNT, Decision, notice_template

SETTINGS = load_settings()
FACTS = NoticeFacts("欧阳娜娜", 5_234_567, "CNY", utcnow(), "Asia/Shanghai")
LOCALES = ["zh-CN", "en"]
DEADLINE_WORDS = ("请于", "之前", "以内", "尽快办理", "before", "within", "deadline", "immediately")


def text(status: str, locale: str) -> str:
    signature, hotline = SETTINGS.signature_for(locale), SETTINGS.hotline
    return render_text(notice_template(status), locale=locale, signature=signature, hotline=hotline, facts=FACTS).body


def test_every_decision_has_a_progress_notice_in_both_languages() -> None:
    catalogue = load_catalogue()
    for lang in LANGS:
        assert {key for key, _, entry_lang in catalogue.entries if entry_lang == lang} >= NOTICE_TEMPLATES


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("status", list(Decision))
def test_every_progress_notice_passes_the_lint_and_names_the_hotline(status: str, locale: str) -> None:
    body = text(status, locale)
    assert lint(body, hotline=SETTINGS.hotline) == [], body
    assert SETTINGS.hotline in body
    assert not any(word in body.lower() for word in DEADLINE_WORDS), body
    assert "立案" not in body and "欧阳娜娜" not in body  # the name is masked (欧阳*)


@pytest.mark.parametrize("status", list(Decision))
def test_a_chinese_progress_notice_fits_one_segment(status: str) -> None:
    assert measure(text(status, "zh-CN")).segments == 1, text(status, "zh-CN")


@pytest.mark.parametrize("status", sorted(WITH_AMOUNT))
def test_approved_and_disbursed_state_the_amount_rounded(status: str) -> None:
    assert "5.2万元" in text(status, "zh-CN") and "52345" not in text(status, "zh-CN")
    assert "52,345" in text(status, "en") and "52,345.67" not in text(status, "en")


@pytest.mark.parametrize("status", sorted(set(Decision) - WITH_AMOUNT))
def test_the_other_notices_state_no_amount(status: str) -> None:
    for locale in LOCALES:
        assert "5.2万" not in text(status, locale) and "52,345" not in text(status, locale)
