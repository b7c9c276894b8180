"""身份证号 and 统一社会信用代码 checks, against numbers whose check characters are published."""

import datetime

import pytest

from tongban.core.identity import (
    InvalidIdentifier,
    check_credit_code,
    check_phone,
    check_resident_id,
    credit_check_char,
    id_check_char,
    mask_credit_code,
    mask_id,
    mask_phone,
)

# GB 11643-1999 appendix example: 11010519491231002X
GB11643_EXAMPLE = "11010519491231002X"


def test_the_standards_own_example_is_valid():
    assert check_resident_id(GB11643_EXAMPLE.lower()) == GB11643_EXAMPLE
    assert id_check_char("44052418800101001") == "4"  # GB 11643 appendix: 440524188001010014


@pytest.mark.parametrize("number, reason", [
    ("110105194912310021", "校验码不正确"),
    ("11010519491231002", "应为 18 位"),
    ("99010519491231002X", "省级行政区划代码"),
    ("110105194913310021", "不是有效日期"),
    ("110105209912310021", "不合理"),
])
def test_wrong_resident_ids_are_refused_with_the_reason(number, reason):
    with pytest.raises(InvalidIdentifier, match=reason):
        check_resident_id(number, today=datetime.date(2026, 11, 26))


def test_every_wrong_last_character_is_caught():
    base = GB11643_EXAMPLE[:17]
    for char in "0123456789X":
        if char != "X":
            with pytest.raises(InvalidIdentifier):
                check_resident_id(base + char)


def test_credit_code_check_character():
    # A code built from the standard's structure: 9 (工商) 1 (企业) 110000 (北京) + 9-digit org code.
    first17 = "91110000" + "600007" + "342"
    code = first17 + credit_check_char(first17)
    assert check_credit_code(code.lower()) == code
    wrong = first17 + next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != code[-1])
    with pytest.raises(InvalidIdentifier, match="校验码不正确"):
        check_credit_code(wrong)
    with pytest.raises(InvalidIdentifier, match="不含 I、O、S、V、Z"):
        check_credit_code("91110000600007342O")


def test_the_credit_code_standards_example_is_valid():
    # GB 32100-2015's example code.
    assert check_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    with pytest.raises(InvalidIdentifier, match="校验码不正确"):
        check_credit_code("91350100M000100Y44")


def test_masks():
    assert mask_id(GB11643_EXAMPLE) == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_credit_code("91110000600007342A") == "9111**********342A"
    assert check_phone("138-1234-5678") == "13812345678"
    with pytest.raises(InvalidIdentifier):
        check_phone("12345")
