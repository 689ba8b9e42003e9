"""One canonical spelling per phone number: ASCII E.164, whatever digits or form it arrived in."""

from __future__ import annotations

import pytest

from smsbot.phones import PhoneError, canonical_phone

SAME_NUMBER = [
    "+8613874013561",
    "13874013561",  # national form, read with the default region
    "+86１３８７４０１３５６１",  # fullwidth digits
    "+86١٣٨٧٤٠١٣٥٦١",  # Arabic-Indic digits
    "＋８６１３８７４０１３５６１",  # fullwidth plus
    "+86 138 7401 3561",
    "+86-138-7401-3561",
    "008613874013561",  # the international prefix dialled from China
]


@pytest.mark.parametrize("spelling", SAME_NUMBER)
def test_every_spelling_of_a_number_has_the_same_ascii_e164_form(spelling: str) -> None:
    assert canonical_phone(spelling, region="CN") == "+8613874013561"


def test_a_national_number_is_read_in_the_region_it_is_given() -> None:
    assert canonical_phone("91234567", region="HK") == "+85291234567"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("+8613874013561\n", "control"),
        ("+8613874013561\x00", "control"),
        ("\t+8613874013561", "control"),
        ("+99912345678", "valid"),
        ("+8612345", "valid"),
        ("1-800-FLOWERS", "digits"),
        ("+8613874013561 ext 5", "digits"),
        ("whatsapp:+85291234567", "digits"),
        ("", "empty"),
        ("+" + "1" * 40, "long"),
        ("+86 138 7401 3561 ", "spaces"),
    ],
)
def test_what_is_not_one_valid_number_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(PhoneError) as refused:
        canonical_phone(text, region="CN")
    assert reason in str(refused.value)


def test_a_phone_error_is_a_value_error_so_validators_report_it() -> None:
    assert issubclass(PhoneError, ValueError)
