"""Masking of personal data (个人信息脱敏) before anything is written to the audit trail.

Two rules, both applied by `audit.actions.do_append`:

1. By key: a value under a personal key (身份证号, phone, 统一社会信用代码, bank account …) is masked
   whatever it looks like — every string or number beneath it, recursively. A key matches when it
   equals one of the names below or ends with `_<name>` (`applicant_phone`, `legalPersonIdNumber`),
   or, for Chinese names, ends with the name (`申请人身份证号`).
2. By shape: in every other string, an 18-character 身份证号 (with a plausible birth date) and an
   11-digit mobile number (optionally +86, spaces or dashes) are masked where they appear.

Formats: 身份证号 and other identifiers keep the first 6 and last 4 characters
(110101********1234); phone numbers keep the first 3 and last 4 (138****5678); bank accounts keep
the last 4. Values too short to keep anything are replaced by stars. Masking is idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

ID_KEYS = {
    "id_number", "id_no", "id_card", "id_card_number", "idcard", "identity_number", "identity_card",
    "citizen_id", "sfzh", "passport", "passport_number", "certificate_number", "cert_no",
    "credit_code", "social_credit_code", "unified_social_credit_code", "uscc", "tax_number",
    "身份证", "身份证号", "身份证号码", "证件号", "证件号码", "护照号", "统一社会信用代码", "信用代码",
}
PHONE_KEYS = {
    "phone", "phone_number", "mobile", "mobile_number", "cellphone", "telephone", "tel", "contact_number",
    "手机", "手机号", "手机号码", "电话", "电话号码", "联系电话", "联系方式",
}
ACCOUNT_KEYS = {"bank_account", "bank_card", "card_number", "account_number", "银行账号", "银行卡号"}

ID_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(\d{6})((?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))(\d{3}[\dXx])(?![0-9A-Za-z])"
)
MOBILE_IN_TEXT = re.compile(r"(?<![\d*])((?:\+?86[- ]?)?1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")


def mask_identifier(value: str) -> str:
    """身份证号, 统一社会信用代码 …: first 6 and last 4 kept, e.g. 110101********1234."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """Phone numbers: first 3 and last 4 kept, e.g. 138****5678 (a landline 010*****5678)."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_account(value: str) -> str:
    """Bank accounts and cards: only the last 4 kept."""
    if len(value) <= 8:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_text(text: str) -> str:
    """Mask 身份证号 and mobile numbers wherever they appear in free text."""
    text = ID_IN_TEXT.sub(lambda m: m[1] + "*" * 8 + m[3][-4:], text)
    return MOBILE_IN_TEXT.sub(lambda m: m[1] + "****" + m[3], text)


def _snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower().replace("-", "_")


def _key_rule(key: str) -> Callable[[str], str] | None:
    name = _snake(key)
    for names, rule in ((ID_KEYS, mask_identifier), (PHONE_KEYS, mask_phone), (ACCOUNT_KEYS, mask_account)):
        for candidate in names:
            if name == candidate or name.endswith("_" + candidate) or (
                not candidate.isascii() and name.endswith(candidate)
            ):
                return rule
    return None


def _mask(value: Any, rule: Callable[[str], str] | None) -> Any:
    if isinstance(value, dict):
        return {k: _mask(v, rule or _key_rule(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v, rule) for v in value]
    if rule is not None and not isinstance(value, bool) and isinstance(value, str | int):
        return rule(str(value).strip()) if str(value).strip() else value
    if isinstance(value, str):
        return mask_text(value)
    return value


def mask_personal(data: dict) -> dict:
    """A copy of `data` with personal values masked (see the module docstring); `data` is not changed."""
    return _mask(data, None)
