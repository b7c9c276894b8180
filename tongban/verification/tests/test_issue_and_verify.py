"""A decided case gets one signed result document; its file verifies as issued, without personal data."""

import json

import pytest
from django.urls import reverse

from testsupport.verification import write_bundle
from tongban.federation import keys
from tongban.verification.actions import (
    NotIssuedHere,
    ResultError,
    Status,
    as_file,
    do_issue_result,
    verify_document,
)
from tongban.verification.models import Kind, ResultDocument
from tongban.verification.tests.conftest import FULL_ID


def test_an_issued_document_verifies_valid(issued):
    case, doc = issued
    doc.refresh_from_db()  # the payload as the database gives it back (jsonb reorders keys)
    result = verify_document(json.loads(json.dumps(as_file(doc))))
    assert result.status == Status.VALID and result.label == "有效"
    assert result.revocation_known and not result.reasons
    facts = dict(result.facts())
    assert facts["办件编号"] == case.number and facts["文书类型"] == "电子证照"
    assert facts["办理结果"] == "准予办理" and facts["办结日期"] == "2026年10月9日"
    assert facts["审批部门"] == "北京市通州区人力资源和社会保障局"
    assert doc.doc_id.startswith("local:") and doc.issuer == "local"


def test_the_signed_payload_holds_only_masked_personal_data(issued):
    case, doc = issued
    signed = keys.canonical(doc.payload).decode()
    assert FULL_ID not in signed and "13812345678" not in signed and "张三" not in signed
    assert doc.payload["applicant"] == {"kind": "person", "name": "张*", "id_number_masked": "110105********002X"}


def test_issuing_twice_gives_the_same_document(issued):
    case, doc = issued
    again = do_issue_result(case)
    assert again.pk == doc.pk and again.signature == doc.signature
    assert ResultDocument.objects.filter(case=case).count() == 1


def test_a_denial_is_signed_as_a_completion_notice(denied_case):
    doc = do_issue_result(denied_case)
    assert doc.kind == Kind.COMPLETION and doc.payload["outcome"] == "denied"
    assert verify_document(as_file(doc)).status == Status.VALID


def test_an_undecided_case_gets_no_document(make_case):
    case = make_case("acceptance")
    with pytest.raises(ResultError) as refused:
        do_issue_result(case)
    assert refused.value.code == "result.not_decided"
    assert not ResultDocument.objects.exists()


def test_only_the_node_of_the_competent_region_signs(client, people, make_case, settings, tmp_path):
    case = make_case("completion")  # decided by 通州区人社局: 通州's node signs, not 廊坊's copy
    ResultDocument.objects.all().delete()  # signed at the decision by the single node that made it; now 廊坊 asks
    tongzhou = {"id": "tongzhou", "name": "通州区节点", "key_file": tmp_path / "tz.pem", "regions": ["110112"]}
    langfang = {"id": "langfang", "name": "廊坊市节点", "key_file": tmp_path / "lf.pem", "regions": ["131000"]}
    settings.TONGBAN_TRUST_BUNDLE = write_bundle(tmp_path / "bundle.json", [tongzhou, langfang])
    settings.TONGBAN_NODE_ID, settings.TONGBAN_NODE_KEY_FILE = "langfang", str(langfang["key_file"])
    with pytest.raises(NotIssuedHere) as elsewhere:
        do_issue_result(case)
    assert elsewhere.value.code == "result.not_issued_here" and "通州区节点" in elsewhere.value.message  # names it
    client.force_login(people["sanhe_window"])
    html = client.get(reverse("documents:page", args=[case.number, "completion"])).content.decode()
    assert "扫码查询办理进度" in html and "/verify/" not in html  # this copy keeps the tracking QR code
    assert client.get(reverse("verification:download", args=[case.number])).status_code == 404
    assert not ResultDocument.objects.exists()

    settings.TONGBAN_NODE_ID, settings.TONGBAN_NODE_KEY_FILE = "tongzhou", str(tongzhou["key_file"])
    doc = do_issue_result(case)
    assert doc.doc_id.startswith("tongzhou:") and verify_document(as_file(doc)).issuer_name == "通州区节点"
