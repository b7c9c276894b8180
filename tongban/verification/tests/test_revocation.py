"""An administrator of the competent region revokes a document; everyone checking it then sees 已吊销."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from tongban.audit.models import AuditEntry
from tongban.core.errors import NotAllowed
from tongban.federation import keys, trust
from tongban.verification.actions import ResultError, Status, as_file, do_revoke, verify_document


def revoke(client, doc, reason="证照信息有误，已重新核发"):
    return client.post(reverse("verification:revoke", args=[doc.doc_id]), {"reason": reason})


def test_the_admin_revokes_and_the_page_file_and_command_say_so(client, people, issued, on_day, tmp_path, capsys):
    case, doc = issued
    on_day(datetime.date(2026, 10, 12))
    client.force_login(people["tz_admin"])
    page = client.get(reverse("verification:page", args=[doc.doc_id])).content.decode()
    assert "吊销文书" in page  # the button is offered to the admin of 通州 (the competent region)

    response = revoke(client, doc)
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.revoked_at is not None and doc.revoked_by == people["tz_admin"]
    assert AuditEntry.objects.filter(action="result.revoke", subject=f"case:{case.number}").count() == 1

    client.logout()  # the public sees it
    html = client.get(reverse("verification:page", args=[doc.doc_id])).content.decode()
    assert "已吊销" in html and "证照信息有误，已重新核发" in html and "2026年10月12日 10:00" in html
    assert "吊销文书" not in html

    result = verify_document(as_file(doc))
    assert result.status == Status.REVOKED and "证照信息有误" in result.reasons[0]

    path = tmp_path / "result.json"
    path.write_text(json.dumps(as_file(doc), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify", str(path))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "核验结果：已吊销" in out and "证照信息有误" in out

    status = client.get(reverse("verification:status", args=[doc.doc_id])).json()
    assert status["status"]["state"] == "revoked" and status["status"]["reason"] == "证照信息有误，已重新核发"
    trust.verify(status["issuer"], keys.canonical(status["status"]), status["signature"])  # signed by this node


@pytest.mark.parametrize("who", ["lf_admin", "tz_rsj", "sanhe_window", "citizen", None])
def test_others_cannot_revoke(client, people, issued, who):
    case, doc = issued
    if who:
        client.force_login(people[who])
    html = client.get(reverse("verification:page", args=[doc.doc_id])).content.decode()
    assert "吊销文书" not in html
    assert revoke(client, doc).status_code == 403
    doc.refresh_from_db()
    assert doc.revoked_at is None and doc.revocation_reason == ""
    assert not AuditEntry.objects.filter(action="result.revoke").exists()
    assert verify_document(as_file(doc)).status == Status.VALID


def test_revocation_needs_a_reason_and_happens_once(people, issued):
    case, doc = issued
    admin = people["tz_admin"]
    with pytest.raises(ResultError) as no_reason:
        do_revoke(admin, doc, "  ")
    assert no_reason.value.code == "result.reason_required"
    do_revoke(admin, doc, "申请人以欺骗手段取得，依法撤销 身份证 11010519491231002X")
    doc.refresh_from_db()
    assert "11010519491231002X" not in doc.revocation_reason  # shown publicly: masked
    with pytest.raises(ResultError) as twice:
        do_revoke(admin, doc, "再次吊销")
    assert twice.value.code == "result.already_revoked"
    with pytest.raises(NotAllowed) as not_theirs:
        do_revoke(people["lf_admin"], doc, "不是本地区的文书")
    assert not_theirs.value.code == "result.revoke_not_allowed"
    assert AuditEntry.objects.filter(action="result.revoke").count() == 1
