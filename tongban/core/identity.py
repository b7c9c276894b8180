"""Personal and enterprise identifiers: validation and masking.

- 公民身份号码 (GB 11643-1999): 17 digits + a check character (0–9 or X) computed with ISO 7064 MOD 11-2.
- 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet (no I, O, S, V, Z),
  the last a MOD 31 check character.
- Masking for lists and logs: 110101********1234, 138****5678, 9111**********123X.
"""

from __future__ import annotations

import datetime
import re

from tongban.core.errors import Invalid

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# Province-level codes of GB/T 2260 (first two digits of a 身份证号), incl. 71 台湾, 81 香港, 82 澳门.
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
    "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
}
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
PHONE_RE = re.compile(r"1[3-9][0-9]{9}")


class InvalidIdentifier(Invalid, ValueError):
    """The message says, in Chinese, what is wrong with the number; the code (identity.<what>) for programs.

    Still a ValueError, as before, for callers that validate several kinds of input at once.
    """

    code = "identity.invalid"


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def check_resident_id(value: str, *, today: datetime.date | None = None) -> str:
    """Return the normalised 身份证号 (upper-case X) or raise InvalidIdentifier."""
    number = (value or "").strip().upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        raise InvalidIdentifier("身份证号应为 18 位：17 位数字加 1 位校验码（数字或 X）", code="identity.id_format")
    if number[:2] not in PROVINCES:
        raise InvalidIdentifier(f"身份证号前两位 {number[:2]} 不是有效的省级行政区划代码", code="identity.id_province")
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdentifier(f"身份证号中的出生日期 {number[6:14]} 不是有效日期",
                                code="identity.id_birth_date") from None
    if born > (today or datetime.date.today()) or born.year < 1900:
        raise InvalidIdentifier(f"身份证号中的出生日期 {number[6:14]} 不合理", code="identity.id_birth_date")
    if id_check_char(number[:17]) != number[17]:
        raise InvalidIdentifier("身份证号校验码不正确，请核对是否输错", code="identity.id_check_char")
    return number


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(value: str) -> str:
    """Return the normalised 统一社会信用代码 or raise InvalidIdentifier."""
    code = (value or "").strip().upper()
    if len(code) != 18 or any(c not in CREDIT_ALPHABET for c in code):
        raise InvalidIdentifier("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）",
                                code="identity.credit_code_format")
    if not code[2:8].isdigit():
        raise InvalidIdentifier("统一社会信用代码第 3–8 位应为登记管理机关的行政区划码",
                                code="identity.credit_code_region")
    if credit_check_char(code[:17]) != code[17]:
        raise InvalidIdentifier("统一社会信用代码校验码不正确，请核对是否输错", code="identity.credit_code_check_char")
    return code


def normalise_phone(value: str) -> str:
    """What a typed phone number is stored and compared as: without spaces and hyphens ("138 0000-0001")."""
    return re.sub(r"[\s-]", "", value or "")


def check_phone(value: str) -> str:
    number = normalise_phone(value)
    if not PHONE_RE.fullmatch(number) and not re.fullmatch(r"0[0-9]{2,3}[0-9]{7,8}", number):
        raise InvalidIdentifier("电话号码应为 11 位手机号或带区号的固定电话", code="identity.phone_format")
    return number


def mask_id(value: str) -> str:
    """110101199003071234 → 110101********1234 (keeps region and the last four)."""
    value = value or ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    value = value or ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_credit_code(value: str) -> str:
    """91110000123456789X → 9111**********789X (keeps the issuer, region prefix and the last four)."""
    value = value or ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)
