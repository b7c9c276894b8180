"""No 身份证号 or phone number is ever stored in the trail in clear."""

from __future__ import annotations

import json

from django.db import transaction

from tongban.audit.actions import do_append, entries_for, mask_personal, verify
from tongban.audit.models import AuditEntry

ID = "110101199001011234"


def test_personal_keys_are_masked_recursively():
    data = {
        "id_number": ID,
        "applicant": {"name": "张三", "phone": "13812345678", "legalPersonIdNumber": "11010119900101123X"},
        "contacts": [{"mobile": 13912345678}, {"联系电话": "010-12345678"}],
        "credit_code": "91110000600037341L",
        "申请人身份证号": ID,
        "bank_account": "6222020200112233445",
        "count": 3,
        "phone_verified": True,
    }
    assert mask_personal(data) == {
        "id_number": "110101********1234",
        "applicant": {"name": "张三", "phone": "138****5678", "legalPersonIdNumber": "110101********123X"},
        "contacts": [{"mobile": "139****5678"}, {"联系电话": "010*****5678"}],
        "credit_code": "911100********341L",
        "申请人身份证号": "110101********1234",
        "bank_account": "***************3445",
        "count": 3,
        "phone_verified": True,
    }
    assert data["id_number"] == ID, "the caller's dict is not changed"


def test_numbers_in_free_text_are_masked():
    note = f"申请人身份证{ID}，电话 138-1234-5678，备用 +8613912345678；案件 TB2026-000123，金额 13800 元"
    assert mask_personal({"note": note}) == {"note": (
        "申请人身份证110101********1234，电话 138****5678，备用 +86139****5678；案件 TB2026-000123，金额 13800 元"
    )}


def test_masking_is_idempotent():
    once = mask_personal({"id_number": ID, "phone": "13812345678", "note": f"身份证 {ID}"})
    assert mask_personal(once) == once


def test_do_append_stores_only_masked_data(db):
    with transaction.atomic():
        do_append(actor="13812345678", action="case.accept", subject=f"person:{ID}",
                  data={"applicant": {"id_number": ID, "phone": "13812345678"}, "note": f"身份证 {ID}"})
    entry = AuditEntry.objects.get(seq=1)
    stored = json.dumps([entry.actor, entry.subject, entry.data], ensure_ascii=False)
    assert ID not in stored and "13812345678" not in stored
    assert entry.actor == "138****5678" and entry.subject == "person:110101********1234"
    assert entry.data["applicant"] == {"id_number": "110101********1234", "phone": "138****5678"}
    assert [e.seq for e in entries_for(f"person:{ID}")] == [1]
    assert verify().ok, "the hash covers the masked data that was stored"
