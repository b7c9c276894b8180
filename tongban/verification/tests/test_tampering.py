"""Altered, forged or untrusted documents are invalid, with the reason in Chinese."""

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from testsupport.verification import write_bundle
from tongban.federation import keys
from tongban.verification.actions import ResultError, Status, apply_revocation_notice, as_file, verify_document


def test_one_altered_byte_makes_the_document_invalid(issued):
    case, doc = issued
    text = json.dumps(as_file(doc), ensure_ascii=False)
    assert verify_document(json.loads(text)).status == Status.VALID
    altered = text.replace('"2026-10-09"', '"2026-10-08"')  # the decision date, one byte
    assert altered != text
    result = verify_document(json.loads(altered))
    assert result.status == Status.INVALID and result.label == "无效"
    assert "签名无效" in result.reasons[0] and "改动" in result.reasons[0]
    assert result.payload is None and result.facts() == []  # nothing of an invalid document is vouched for


def test_a_signature_made_with_another_key_is_invalid(issued):
    case, doc = issued
    forged = as_file(doc)
    forged["payload"]["outcome_label"] = "准予办理（有效期十年）"
    other_key = Ed25519PrivateKey.generate()
    forged["signature"] = base64.b64encode(other_key.sign(keys.canonical(forged["payload"]))).decode()
    result = verify_document(forged)
    assert result.status == Status.INVALID and "签名无效" in result.reasons[0]


def test_a_document_of_an_unknown_node_is_invalid(issued):
    case, doc = issued
    stranger = Ed25519PrivateKey.generate()
    payload = dict(doc.payload, issuer="langfang", doc_id="langfang:0123")
    data = {"format": "tongban-result/1", "issuer": "langfang", "payload": payload,
            "signature": base64.b64encode(stranger.sign(keys.canonical(payload))).decode()}
    result = verify_document(data)
    assert result.status == Status.INVALID and "未知节点：langfang" in result.reasons[0]


def test_a_trusted_peer_verifies_until_removed_from_the_bundle(issued, settings, tmp_path):
    case, doc = issued
    tongzhou = {"id": "tongzhou", "name": "通州区节点", "url": "http://tz.example", "key_file": tmp_path / "tz.pem"}
    langfang = {"id": "langfang", "name": "廊坊市节点", "url": "http://lf.example", "key_file": tmp_path / "lf.pem"}
    # the document is signed at 廊坊 …
    settings.TONGBAN_NODE_KEY_FILE = str(langfang["key_file"])
    payload = dict(doc.payload, issuer="langfang", doc_id="langfang:abc")
    data = {"format": "tongban-result/1", "issuer": "langfang", "payload": payload,
            "signature": keys.sign(keys.canonical(payload))}
    # … and checked at 通州
    settings.TONGBAN_NODE_ID, settings.TONGBAN_NODE_KEY_FILE = "tongzhou", str(tongzhou["key_file"])
    settings.TONGBAN_TRUST_BUNDLE = write_bundle(tmp_path / "both.json", [tongzhou, langfang])
    result = verify_document(data)
    assert result.status == Status.VALID and result.issuer_name == "廊坊市节点"
    assert not result.revocation_known and "没有收到签发节点（廊坊市节点）对该文书的吊销通知" in result.notes[0]

    # 廊坊 revokes it and tells its peers (result.revoke): 通州 shows it revoked; nobody else may say so
    with pytest.raises(ResultError) as forged:
        apply_revocation_notice("tongzhou", {"doc_id": "langfang:abc", "issuer": "langfang",
                                             "revoked_at": "2026-11-20T10:00:00+08:00", "reason": "伪造"})
    assert forged.value.code == "result.not_issuer"
    apply_revocation_notice("langfang", {"doc_id": "langfang:abc", "issuer": "langfang",
                                         "revoked_at": "2026-11-20T10:00:00+08:00", "reason": "证照信息有误"})
    result = verify_document(data)
    assert result.status == Status.REVOKED and "证照信息有误" in result.reasons[0]

    settings.TONGBAN_TRUST_BUNDLE = write_bundle(tmp_path / "tz-only.json", [tongzhou])
    result = verify_document(data)
    assert result.status == Status.INVALID and "未知节点：langfang" in result.reasons[0]


def test_a_file_that_is_no_result_document_is_malformed(issued):
    case, doc = issued
    for data, words in (([1, 2], "不是 JSON 对象"), ({**as_file(doc), "format": "x"}, "format"),
                        ({**as_file(doc), "signature": ""}, "签名"), ({**as_file(doc), "payload": "x"}, "payload")):
        result = verify_document(data)
        assert result.status == Status.MALFORMED and words in result.reasons[0]
