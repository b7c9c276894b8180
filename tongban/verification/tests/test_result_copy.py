"""The signed result of a case decided on the other node reaches the node its applicant applied on
(`result.issued`): kept there as a copy that verifies, refused when forged or sent by the wrong node."""

import copy

import pytest

from testsupport.verification import write_bundle
from tongban.core.errors import TongbanError
from tongban.verification.actions import Status, do_issue_result, verify_document
from tongban.verification.models import ResultDocument
from tongban.verification.payload import envelope
from tongban.verification.tell import apply_result_issued


@pytest.fixture
def two_node_copy(people, make_case, settings, tmp_path):
    """A case decided by 通州人社, its result signed by the 通州 node; then this database plays 廊坊's."""
    case = make_case("completion")
    ResultDocument.objects.all().delete()
    tongzhou = {"id": "tongzhou", "name": "通州区节点", "key_file": tmp_path / "tz.pem", "regions": ["110112"]}
    langfang = {"id": "langfang", "name": "廊坊市节点", "key_file": tmp_path / "lf.pem", "regions": ["131000"]}
    settings.TONGBAN_TRUST_BUNDLE = write_bundle(tmp_path / "bundle.json", [tongzhou, langfang])
    settings.TONGBAN_NODE_ID, settings.TONGBAN_NODE_KEY_FILE = "tongzhou", str(tongzhou["key_file"])
    doc = do_issue_result(case)
    body = {"case": case.number, "kind": doc.kind, "issued_at": doc.issued_at.isoformat(),
            "file": envelope(doc.issuer, copy.deepcopy(doc.payload), doc.signature)}
    ResultDocument.objects.all().delete()  # 廊坊's database has none of it
    settings.TONGBAN_NODE_ID, settings.TONGBAN_NODE_KEY_FILE = "langfang", str(langfang["key_file"])
    return case, body


def test_the_copy_is_kept_and_verifies_against_the_issuers_key(two_node_copy):
    case, body = two_node_copy
    assert apply_result_issued("tongzhou", body) == ""
    apply_result_issued("tongzhou", body)  # a second delivery keeps one copy
    doc = ResultDocument.objects.get(case=case)
    assert doc.issuer == "tongzhou" and doc.doc_id.startswith("tongzhou:")
    result = verify_document(envelope(doc.issuer, doc.payload, doc.signature))
    assert result.status == Status.VALID
    assert do_issue_result(case) == doc  # 廊坊's completion notice shows the copy, never signs its own


def test_a_forged_copy_or_one_from_the_wrong_node_is_refused(two_node_copy):
    case, body = two_node_copy
    forged = copy.deepcopy(body)
    forged["file"]["payload"]["item"] = "另一个事项"  # the content changed after signing
    with pytest.raises(TongbanError) as refused:
        apply_result_issued("tongzhou", forged)
    assert refused.value.code == "result.invalid_copy"
    with pytest.raises(TongbanError) as refused:
        apply_result_issued("langfang", body)  # not the competent region's node
    assert refused.value.code == "result.not_issuer"
    with pytest.raises(TongbanError) as refused:
        apply_result_issued("tongzhou", {**body, "case": "TB20269999999"})
    assert refused.value.code in ("result.unknown_case", "result.invalid_copy")
    assert not ResultDocument.objects.exists()
