"""What a result document says, and its portable file form ("tongban-result/1").

The payload is plain JSON (strings and one nested dict per party), built once at issue and signed as
`keys.canonical(payload)`. It carries no personal data beyond masks: the applicant's name with only the
surname kept, the 身份证号 / 统一社会信用代码 masked as everywhere else (core.identity).

File:  {"format": "tongban-result/1", "issuer": "<node id>", "payload": {...}, "signature": "<base64>"}
"""

from __future__ import annotations

import datetime
import json

from tongban.cases.models import ApplicantKind, Case
from tongban.core.errors import Invalid
from tongban.core.identity import mask_credit_code, mask_id
from tongban.federation import keys

FORMAT = "tongban-result/1"
MAX_FILE_BYTES = 64 * 1024  # a real document is about 1 KB
PAYLOAD_FIELDS = ("doc_id", "issuer", "kind", "kind_label", "case_number", "item", "applicant", "outcome",
                  "outcome_label", "decided_on", "department", "region", "issued_at")


class MalformedFile(Invalid):
    """Not a result document at all (unreadable, not JSON, wrong format); the message is in Chinese."""

    code = "result.malformed_file"


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the surname's first character is kept."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else name


def applicant(case: Case) -> dict:
    if case.applicant_kind == ApplicantKind.ENTERPRISE:  # an enterprise's name is public; its code is masked
        return {"kind": "enterprise", "name": case.applicant_name,
                "credit_code_masked": mask_credit_code(case.applicant_credit_code)}
    return {"kind": "person", "name": mask_name(case.applicant_name),
            "id_number_masked": mask_id(case.applicant_id_number)}


def build_payload(case: Case, *, doc_id: str, issuer: str, kind: str, kind_label: str,
                  issued_at: datetime.datetime) -> dict:
    if case.decided_on is None:  # do_issue_result refuses an undecided case before building its payload
        raise Invalid(f"办件 {case.number} 尚未办结，不能签发结果文书。", code="result.not_decided")
    return {
        "doc_id": doc_id, "issuer": issuer, "kind": kind, "kind_label": kind_label,
        "case_number": case.number,
        "item": {"code": case.item.code, "name": case.item.name},
        "applicant": applicant(case),
        "outcome": case.outcome, "outcome_label": case.get_outcome_display(),
        "decided_on": case.decided_on.isoformat(),
        "department": case.competent_department.name, "region": case.competent_region.code,
        "issued_at": issued_at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
    }


def envelope(issuer: str, payload: dict, signature: str) -> dict:
    return {"format": FORMAT, "issuer": issuer, "payload": payload, "signature": signature}


def fingerprint(payload: dict) -> str:
    """A short reference to the signed content, printed on the notice and shown on the verify page."""
    value = keys.digest(payload)[:16].upper()
    return " ".join(value[i:i + 4] for i in range(0, 16, 4))


def parse_file(raw: bytes | str) -> dict:
    """The JSON object of a document file, or MalformedFile saying why it cannot be read."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_FILE_BYTES:
            raise MalformedFile(f"文件过大（{len(raw)} 字节），结果文书文件不超过 {MAX_FILE_BYTES // 1024} KB。",
                                code="result.file_too_large")
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise MalformedFile("文件不是 UTF-8 编码的文本，不是结果文书文件。", code="result.not_utf8") from None
    if not raw.strip():
        raise MalformedFile("文件是空的。", code="result.empty_file")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise MalformedFile(f"文件不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）。",
                            code="result.not_json") from None
    problem = envelope_problem(data)
    if problem:
        raise MalformedFile(problem)
    return data


def envelope_problem(data) -> str:
    """Empty when `data` has the shape of a result document file, else what is wrong (Chinese)."""
    if not isinstance(data, dict):
        return "文件内容不是 JSON 对象，不是结果文书文件。"
    if data.get("format") != FORMAT:
        return f"不是通办结果文书文件：format 应为“{FORMAT}”，文件中为“{data.get('format', '（缺失）')}”。"
    for field, label in (("issuer", "签发节点"), ("signature", "签名")):
        if not isinstance(data.get(field), str) or not data[field].strip():
            return f"文件缺少{label}（{field}）。"
    if not isinstance(data.get("payload"), dict):
        return "文件缺少文书内容（payload）。"
    return ""
