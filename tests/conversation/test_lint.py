"""The scam lint (DOMAIN.md): what makes a text look like the 普惠金融 已立案 fraud, however it is disguised."""

from __future__ import annotations

import pytest

from smsbot.config import load_settings
from smsbot.conversation.catalogue import LANGS, load_catalogue
from smsbot.conversation.lint import lint
from smsbot.conversation.template_check import TYPICAL_BLANKS
from smsbot.conversation.texts import NoticeFacts, render_text
from smsbot.models import utcnow

SIG = "【示例农商银行】"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("您的案件已立案", "forbidden word 立案"),
        ("您的案件已立\u200b案", "forbidden word 立案"),  # zero-width space
        ("您的案件已立\u2060案", "forbidden word 立案"),  # word joiner
        ("您的案件已立\ufeff案", "forbidden word 立案"),  # BOM
        ("您的案件已立 案", "forbidden word 立案"),
        ("您已逾\u00ad期", "forbidden word 逾期"),  # soft hyphen
        ("請繳納保證金", "forbidden word 保证金"),  # traditional characters
        ("详情 http://pay.example.cn", "contains a link"),
        ("详情 bit.ly/abc", "contains a link"),
        ("详情 ｂｉｔ．ｌｙ/abc", "contains a link"),  # fullwidth
        ("详情 bit\u200b.ly/abc", "contains a link"),
        ("详情 t.cn/A6xYz", "contains a link"),
        ("详情 url.cn/abc", "contains a link"),
        ("详情 dwz.cn/abc", "contains a link"),
        ("详情 tinyurl/abc", "contains a link"),
        ("详情 goo.gl/abc", "contains a link"),
        ("详情见 pay-now.top", "contains a link"),
        ("详情见 example。com", "contains a link"),
        ("加VX：loan888", "mentions a messaging app or download"),
        ("加ＶＸ loan888", "mentions a messaging app or download"),
        ("V信 loan888", "mentions a messaging app or download"),
        ("wx: loan888", "mentions a messaging app or download"),
        ("加微信号loan888", "mentions a messaging app or download"),
        ("加薇信loan888", "mentions a messaging app or download"),
        ("QQ号 12345678", "mentions a messaging app or download"),
        ("q q 12345678", "mentions a messaging app or download"),
        ("add me on WeChat", "mentions a messaging app or download"),
        ("请下载APP办理", "mentions a messaging app or download"),
        ("请联系13812345678", "a phone number other than the hotline"),
        ("请联系 138 1234 5678", "a phone number other than the hotline"),
        ("请联系 138-1234-5678", "a phone number other than the hotline"),
        ("请联系 +86 138 1234 5678", "a phone number other than the hotline"),
        ("请联系８６１３８１２３４５６７８", "a phone number other than the hotline"),
        ("请联系١٣٨١٢٣٤٥٦٧٨", "a phone number other than the hotline"),  # Arabic-Indic digits
        ("请联系138\u200b1234\u200b5678", "a phone number other than the hotline"),
        ("请致电 021-62345678", "a phone number other than the hotline"),
        ("请致电 400-123-4567", "a phone number other than the hotline"),
        ("请支付￥500", "contains ¥"),
        ("请看【重要通知】", "【】 inside the body"),
    ],
)
def test_a_disguised_scam_feature_is_caught(body: str, problem: str) -> None:
    assert problem in lint(SIG + body, hotline="95XXX")


@pytest.mark.parametrize(
    "body",
    [
        "您好，我们已收到，稍后联系您。",
        "如有疑问请致电95XXX。本行不会索要密码或要求转账",
        "您申请的金额为50000元，期限12个月，用途为养殖。",
        "您的申请编号为 ext-3f2a，审核中。",
        "成立十年的本行",
        "Hello Mr. Zhang, e.g. 50,000 for 12 months. Call 95XXX, i.e. our helpline.",
        "Thanks, we got it. Come back any time.",
        "您尾号5678的申请已受理",
    ],
)
def test_an_ordinary_reply_passes(body: str) -> None:
    assert lint(SIG + body, hotline="95XXX") == []


@pytest.mark.parametrize("hotline", ["95588", "400-820-8888", "021-62345678", "+852 2345 6789"])
def test_the_lenders_own_hotline_is_allowed_however_it_is_spelled(hotline: str) -> None:
    digits = "".join(ch for ch in hotline if ch.isdigit())
    assert lint(f"{SIG}请致电{hotline}", hotline=hotline) == []
    assert lint(f"{SIG}请致电{digits}", hotline=hotline) == []
    assert lint(f"{SIG}请致电13812345678", hotline=hotline) != []


def test_every_template_passes_the_lint_in_both_languages() -> None:
    settings = load_settings()
    facts = NoticeFacts("张三", 5_000_000, "CNY", utcnow(), "Asia/Shanghai")
    for lang in LANGS:
        locale = "zh-CN" if lang == "zh" else "en"
        for name in load_catalogue().template_names():
            text = render_text(
                name,
                locale=locale,
                signature=settings.signature_for(locale),
                hotline=settings.hotline,
                facts=facts,
                field="amount",
                value=60000,
                blanks=TYPICAL_BLANKS[lang],
            ).body
            assert lint(text, hotline=settings.hotline) == [], (name, text)
