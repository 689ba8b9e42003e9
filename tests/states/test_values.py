"""Every written form of an amount, a term and a name, and the values that must be refused."""

from __future__ import annotations

import pytest

from states.values import find_amounts, parse_amount, parse_name, parse_term, parse_text


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("50000", 50000),
        ("50,000", 50000),
        ("¥50,000", 50000),
        ("￥50,000.00", 50000),
        ("RMB 50000", 50000),
        ("5万", 50000),
        ("5w", 50000),
        ("5W", 50000),
        ("50k", 50000),
        ("50K", 50000),
        ("5万元", 50000),
        ("5万块", 50000),
        ("伍万元整", 50000),
        ("伍萬元整", 50000),
        ("五万五", 55000),
        ("5万5", 55000),
        ("5万5千", 55000),
        ("四万八", 48000),
        ("三千", 3000),
        ("三千五", 3500),
        ("十万", 100000),
        ("十五万", 150000),
        ("二十万", 200000),
        ("两万", 20000),
        ("一万两千五", 12500),
        ("五万零五百", 50500),
        ("壹拾万元", 100000),
        ("1.5万", 15000),
        ("5.5w", 55000),
        ("８００００", 80000),
        ("应该是5万", 50000),
        ("我申请的是3万", 30000),
        ("不是3万是5万", 50000),
        ("3万改成5万", 50000),
        ("应该是5万不是3万", 50000),
        ("5万元12期", 50000),
        ("50 thousand", 50000),
    ],
)
def test_amounts_are_read_as_integer_yuan(text: str, yuan: int) -> None:
    assert parse_amount(text) == yuan


@pytest.mark.parametrize(
    "text",
    [
        "5万左右",
        "大概5万",
        "5万多",
        "几万",
        "五六万",
        "5到6万",
        "5-6万",
        "5~6万",
        "3万或者4万",
        "5万吧",
        "5万?",
        "5",
        "500",
        "$5000",
        "USD 5000",
        "5000美元",
        "HK$5000",
        "110101199001011234",
        "13812345678",
        "好的",
        "",
    ],
)
def test_unusable_amounts_are_refused(text: str) -> None:
    assert parse_amount(text) is None


def test_find_amounts_lists_every_number_with_its_unit_applied() -> None:
    assert find_amounts("不是3万是5万") == [30000, 50000]


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("12期", 12),
        ("１２期", 12),
        ("12", 12),
        ("6个月", 6),
        ("18个月", 18),
        ("十二个月", 12),
        ("一年", 12),
        ("1年", 12),
        ("一年半", 18),
        ("1年半", 18),
        ("1.5年", 18),
        ("半年", 6),
        ("2年", 24),
        ("两年", 24),
        ("兩年", 24),
        ("三年", 36),
        ("三十六期", 36),
        ("12 months", 12),
        ("1 year", 12),
        ("2 years", 24),
        ("应该是36期", 36),
    ],
)
def test_terms_are_read_as_months(text: str, months: int) -> None:
    assert parse_term(text) == months


@pytest.mark.parametrize("text", ["一年左右", "12到24期", "1年吧", "一两年", "1", "随便", "500年", ""])
def test_unusable_terms_are_refused(text: str) -> None:
    assert parse_term(text) is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("张三", "张三"),
        ("张 三", "张三"),
        ("Zhang San", "ZhangSan"),
        ("我叫李四", "李四"),
        ("名字是刘洋", "刘洋"),
        ("名字应该是王五", "王五"),
        ("my name is Li Wei", "LiWei"),
        ("黃志明", "黃志明"),
        ("张伟。", "张伟"),
        ("张三，谢谢", "张三"),
    ],
)
def test_names_are_kept_as_written_without_spaces(text: str, name: str) -> None:
    assert parse_name(text) == name


@pytest.mark.parametrize("text", ["好的", "123", "不知道", "", "?"])
def test_replies_that_are_not_names_are_refused(text: str) -> None:
    assert parse_name(text) is None


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        ("买化肥", "买化肥"),
        ("用途是养猪。", "养猪"),
        ("  buy   seeds ", "buy seeds"),
        ("应该是开店进货", "开店进货"),
    ],
)
def test_purpose_and_other_are_short_trimmed_text(text: str, purpose: str) -> None:
    assert parse_text(text) == purpose


def test_long_text_is_capped_at_one_hundred_characters() -> None:
    assert len(parse_text("种" * 300) or "") == 100


@pytest.mark.parametrize("text", ["", "   ", "。。", "123"])
def test_empty_or_letterless_text_is_refused(text: str) -> None:
    assert parse_text(text) is None
