"""全程网办 with materials: files judged by content, the applicant from the account, 电子证照 reuse,
files served only to who may see the case, window scans, online 补正 on the legal clock."""

import datetime
import os
import stat

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from testsupport.verification import isolated_node  # noqa: F401  (fixture)
from tongban.accounts.models import Enterprise
from tongban.audit.models import AuditEntry
from tongban.cases.actions import (
    MaterialsMissing,
    do_attach_scan,
    do_receive,
    do_supplement_online,
    do_transition,
)
from tongban.cases.models import Case, CaseFile, FileSource, State
from tongban.cases.tests.conftest import (
    OTHER_ID,
    PDF,
    PHONE,
    VALID_ID,
    application,
    online_application,
    required_files,
)
from tongban.core import blobs
from tongban.core.errors import Invalid, NotAllowed, TongbanError
from tongban.verification.actions import do_issue_result

D = datetime.date
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 32
HTML = b"<!doctype html><script>alert(1)</script>"
CREDIT_CODE = "91110112MA01ABCD17"
ID_CARD = "申请人居民身份证"  # required, and an 电子证照 may replace it


def materials(item) -> list[dict]:
    return item.versions.get(version=item.version).snapshot["materials"]


def stored_blobs() -> list[str]:
    root = blobs.blob_dir()
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def refusals(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


def online_post(item, *, skip: str | None = None, **extra) -> dict:
    """The apply page's form: a PDF for each required material (but `skip`)."""
    data: dict = {"competent_region": "110112", "delivery": "electronic"}
    for i, m in enumerate(materials(item)):
        if m["required"] and m["name"] != skip:
            data[f"file_{i}"] = SimpleUploadedFile(f"材料{i}.pdf", PDF, content_type="application/pdf")
    return {**data, **extra}


# ---- files by content ----------------------------------------------------------------------------

@pytest.mark.parametrize("data, mime", [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png")])
def test_pdf_jpeg_and_png_are_recognised_by_their_content(data, mime):
    assert blobs.sniff(data) == mime and blobs.check(data) == mime


@pytest.mark.parametrize("data", [EXE, HTML, b"", b"%PD"], ids=["exe", "html", "empty", "truncated"])
def test_anything_else_is_refused_whatever_its_name(people, rsj_item, data):
    files = [(m, data if m == ID_CARD else PDF, "身份证.pdf") for m, _, _ in required_files(rsj_item)]
    with pytest.raises(Invalid) as refused:
        do_receive(people["citizen"], application(rsj_item, files=files))
    assert refused.value.code == "case.file_type"
    assert not Case.objects.exists() and not CaseFile.objects.exists() and stored_blobs() == []
    (entry,) = refusals("case.upload_refused")
    assert entry.data["code"] == "case.file_type" and entry.data["id_number"] != VALID_ID


def test_an_oversized_file_is_refused_and_nothing_is_stored(people, rsj_item, settings):
    settings.TONGBAN_UPLOAD_MAX_BYTES = 1024
    files = [(m, PDF + b"0" * 2000 if m == ID_CARD else PDF, "scan.pdf") for m, _, _ in required_files(rsj_item)]
    with pytest.raises(Invalid) as refused:
        do_receive(people["citizen"], application(rsj_item, files=files))
    assert refused.value.code == "case.file_too_large"
    assert not Case.objects.exists() and stored_blobs() == []


def test_the_store_keeps_one_private_copy_per_content(people):
    first, again = blobs.store(PDF), blobs.store(PDF)
    assert first == again and stored_blobs() == [first]
    path = blobs.blob_path(first)
    assert path.parent.name == first[:2] and blobs.open_blob(first) == PDF
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert blobs.blob_dir() != path and "static" not in str(path)
    with pytest.raises(ValueError):
        blobs.blob_path("../../etc/passwd")


# ---- the online application ----------------------------------------------------------------------

def test_online_application_with_every_material_creates_the_case_and_its_files(client, people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    client.force_login(people["citizen"])
    page = client.get(f"/apply/{rsj_item.code}/").content.decode()
    assert "张三" in page and 'type="file"' in page and VALID_ID not in page  # shown masked, not editable
    response = client.post(f"/apply/{rsj_item.code}/", online_post(rsj_item))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    required = [m["name"] for m in materials(rsj_item) if m["required"]]
    assert sorted(f.material for f in case.files.all()) == sorted(required)
    assert {f.source for f in case.files.all()} == {FileSource.ONLINE}
    assert case.materials_checked == sorted(required)
    assert (case.applicant_name, case.applicant_id_number, case.applicant_phone) == ("张三", VALID_ID, PHONE)
    # received in 张三's own region (廊坊) for 通州's item: no "apply on the other node" refusal any more
    assert case.receiving_region.code == "131000" and case.competent_region.code == "110112"
    assert case.receiving_centre is None
    assert stored_blobs() == [case.files.all()[0].sha256]  # the same PDF each time: stored once
    detail = client.get(f"/cases/{case.number}/").content.decode()
    assert "材料0.pdf" in detail and "网上提交" in detail


def test_a_missing_required_material_refuses_the_whole_application(client, people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    files = [f for f in required_files(rsj_item) if f[0] != ID_CARD]
    with pytest.raises(MaterialsMissing) as refused:
        do_receive(people["citizen"], application(rsj_item, files=files))
    assert refused.value.code == "case.materials_missing" and refused.value.missing == [ID_CARD]
    client.force_login(people["citizen"])
    response = client.post(f"/apply/{rsj_item.code}/", online_post(rsj_item, skip=ID_CARD))
    assert response.status_code == 200 and ID_CARD in response.content.decode()
    assert not Case.objects.exists() and not CaseFile.objects.exists() and stored_blobs() == []


def test_the_applicant_is_the_account_whatever_is_posted(client, people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    client.force_login(people["citizen"])
    client.post(f"/apply/{rsj_item.code}/", online_post(
        rsj_item, applicant_name="李四", applicant_id_number=OTHER_ID, applicant_phone="13900009999"))
    assert (Case.objects.get().applicant_name, Case.objects.get().applicant_id_number) == ("张三", VALID_ID)
    with pytest.raises(NotAllowed) as refused:  # through the action (the API): refused outright
        do_receive(people["citizen"], online_application(rsj_item, applicant_id_number=OTHER_ID))
    assert refused.value.code == "case.identity_mismatch"
    (entry,) = refusals("case.identity_refused")
    assert OTHER_ID not in str(entry.data) and entry.data["code"] == "case.identity_mismatch"


def test_a_user_without_a_real_name_account_cannot_apply(client, people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    nobody = get_user_model().objects.create_user("nobody", password="pw-for-tests-only")
    with pytest.raises(NotAllowed) as refused:
        do_receive(nobody, online_application(rsj_item))
    assert refused.value.code == "case.identity_required"
    client.force_login(nobody)
    assert client.get(f"/apply/{rsj_item.code}/").status_code == 403
    client.post(f"/apply/{rsj_item.code}/", {"competent_region": "110112", "applicant_name": "张三",
                                             "applicant_id_number": VALID_ID, "applicant_phone": PHONE})
    assert not Case.objects.exists()
    entries = refusals("case.identity_refused")
    assert len(entries) == 2 and all(VALID_ID not in str(e.data) for e in entries)


def test_an_agent_applies_for_their_enterprise_and_only_theirs(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    enterprise = Enterprise.objects.create(credit_code=CREDIT_CODE, name="通州示例科技有限公司",
                                           legal_representative_id=OTHER_ID, created_at=datetime.datetime.now(
                                               datetime.UTC))
    with pytest.raises(NotAllowed) as refused:
        do_receive(people["citizen"], online_application(rsj_item, applicant_kind="enterprise",
                                                  applicant_credit_code=CREDIT_CODE))
    assert refused.value.code == "case.enterprise_not_agent"
    enterprise.agents.add(people["citizen"].citizen)
    case = do_receive(people["citizen"], online_application(rsj_item, applicant_kind="enterprise",
                                                     applicant_credit_code=CREDIT_CODE, applicant_name="随便"))
    assert (case.applicant_kind, case.applicant_name, case.applicant_credit_code, case.applicant_id_number,
            case.applicant_phone) == ("enterprise", "通州示例科技有限公司", CREDIT_CODE, OTHER_ID, PHONE)


# ---- 电子证照 --------------------------------------------------------------------------------------

@pytest.fixture
def licence(people, rsj_item, on_day, isolated_node):  # noqa: F811
    """张三's own signed result (an approval) from an earlier case."""
    on_day(D(2026, 9, 28))
    case = do_transition(people["tz_rsj"], do_receive(people["citizen"], online_application(rsj_item)), "accept")
    case = do_transition(people["tz_rsj"], case, "decide", outcome="approved")
    return do_issue_result(case)


def test_an_own_electronic_licence_replaces_a_material(client, people, rsj_item, licence):
    files = [f for f in required_files(rsj_item) if f[0] != ID_CARD]
    client.force_login(people["citizen"])
    assert licence.doc_id in client.get(f"/apply/{rsj_item.code}/").content.decode()  # offered on the form
    case = do_receive(people["citizen"], application(rsj_item, files=files, elicences=[(ID_CARD, licence.doc_id)]))
    row = case.files.get(material=ID_CARD)
    assert (row.source, row.doc_id, row.sha256) == (FileSource.ELICENCE, licence.doc_id, "")
    assert ID_CARD in case.materials_checked


def test_someone_elses_or_a_revoked_licence_is_refused(people, rsj_item, licence):
    files = [f for f in required_files(rsj_item) if f[0] != ID_CARD]
    cases_before = Case.objects.count()
    with pytest.raises(Invalid) as refused:
        do_receive(people["other_citizen"], application(rsj_item, files=files, applicant_id_number=OTHER_ID,
                                                        elicences=[(ID_CARD, licence.doc_id)]))
    assert refused.value.code == "case.elicence_invalid"
    licence.revoked_at = datetime.datetime.now(datetime.UTC)
    licence.save()
    with pytest.raises(Invalid) as revoked:
        do_receive(people["citizen"], application(rsj_item, files=files, elicences=[(ID_CARD, licence.doc_id)]))
    assert revoked.value.code == "case.elicence_invalid"
    assert Case.objects.count() == cases_before and len(refusals("case.upload_refused")) == 2


# ---- serving files -------------------------------------------------------------------------------

@pytest.fixture
def online_case(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    return do_receive(people["citizen"], online_application(rsj_item, competent_region="110112"))


def test_a_file_is_served_to_the_applicant_and_the_competent_approver_only(client, people, online_case):
    row = online_case.files.first()
    url = f"/cases/{online_case.number}/files/{row.pk}/"
    for name in ("citizen", "tz_rsj"):
        client.force_login(people[name])
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "no-store" and response["Content-Disposition"].startswith("attachment")
    for name in ("other_citizen", "lf_rsj", "sanhe_window"):
        client.force_login(people[name])
        assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_image_is_shown_inline(client, people, online_case):
    row = do_attach_scan(people["tz_rsj"], online_case, ID_CARD, PNG, "photo.png")
    client.force_login(people["citizen"])
    response = client.get(f"/cases/{online_case.number}/files/{row.pk}/")
    assert response["Content-Type"] == "image/png" and response["Content-Disposition"].startswith("inline")


# ---- window scans --------------------------------------------------------------------------------

def test_the_receiving_window_scans_a_paper_material_into_the_case(client, people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item, files=[]))
    client.force_login(people["sanhe_window"])
    assert "上传扫描件" in client.get(f"/cases/{case.number}/").content.decode()
    response = client.post(f"/cases/{case.number}/files/", {
        "material": ID_CARD, "file": SimpleUploadedFile("../../scan 1.pdf", PDF)})
    assert response.status_code == 302
    row = case.files.get()
    assert (row.material, row.source, row.uploaded_by, row.filename) == (
        ID_CARD, FileSource.SCAN, people["sanhe_window"], "scan 1.pdf")
    assert [e.action for e in AuditEntry.objects.filter(subject=f"case:{case.number}")][-1] == "case.attach_scan"

    client.post(f"/cases/{case.number}/files/", {"material": ID_CARD, "file": SimpleUploadedFile("x.pdf", EXE)})
    assert case.files.count() == 1 and refusals("case.upload_refused")[0].data["code"] == "case.file_type"
    with pytest.raises(NotAllowed):  # another centre's window, and the applicant, may not
        do_attach_scan(people["tz_window"], case, ID_CARD, PDF)


def test_no_scan_into_an_archived_case(people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item, files=[]))
    steps: list[tuple[str, str, dict]] = [
        ("sanhe_window", "forward", {}), ("tz_rsj", "accept", {}), ("tz_rsj", "decide", {"outcome": "approved"}),
        ("sanhe_window", "deliver", {}), ("tz_rsj", "archive", {})]
    for user, action, params in steps:
        case = do_transition(people[user], case, action, **params)
    with pytest.raises(NotAllowed) as refused:
        do_attach_scan(people["tz_rsj"], case, ID_CARD, PDF)
    assert refused.value.code == "case.not_allowed"


# ---- online 补正 ----------------------------------------------------------------------------------

@pytest.fixture
def waiting(people, online_case, on_day):
    """Accepted 2026-09-28 by 通州人社, 补正 asked on 09-29 for two materials."""
    case = do_transition(people["tz_rsj"], online_case, "accept")
    on_day(D(2026, 9, 29))
    return do_transition(people["tz_rsj"], case, "request_supplement", missing=[ID_CARD, "补充说明"])


def test_online_supplement_resumes_the_clock_as_at_the_window(client, people, waiting, on_day):
    on_day(D(2026, 10, 9))  # 09-29, 09-30, 10-09: three working days paused (National Day between)
    client.force_login(people["citizen"])
    page = client.get(f"/cases/{waiting.number}/supplement/").content.decode()
    assert ID_CARD in page and "补充说明" in page
    response = client.post(f"/cases/{waiting.number}/supplement/", {
        "version": waiting.version, "file_0": SimpleUploadedFile("id.jpg", JPEG),
        "file_1": SimpleUploadedFile("note.pdf", PDF)})
    assert response.status_code == 302
    case = Case.objects.get(pk=waiting.pk)
    assert (case.state, case.paused_since, case.paused_workdays) == (State.ACCEPTED, None, 3)
    assert case.supplements.get().fulfilled_at is not None
    assert sorted(f.material for f in case.files.filter(source=FileSource.SUPPLEMENT)) == sorted([ID_CARD, "补充说明"])
    assert AuditEntry.objects.filter(subject=f"case:{case.number}", action="case.supplement_received",
                                     actor="citizen").count() == 1

    again = client.post(f"/cases/{waiting.number}/supplement/", {
        "version": waiting.version, "file_0": SimpleUploadedFile("id.jpg", JPEG),
        "file_1": SimpleUploadedFile("note.pdf", PDF)})
    assert again.status_code in (302, 422)  # no longer waiting: nothing applied twice
    assert Case.objects.get(pk=waiting.pk).paused_workdays == 3
    assert case.files.filter(source=FileSource.SUPPLEMENT).count() == 2


def test_a_supplement_must_bring_every_listed_material(people, waiting, on_day):
    on_day(D(2026, 10, 9))
    with pytest.raises(MaterialsMissing) as refused:
        do_supplement_online(people["citizen"], waiting, [(ID_CARD, PDF, "id.pdf")])
    assert refused.value.missing == ["补充说明"]
    with pytest.raises(TongbanError) as bare:  # nor may the applicant resume the case without files
        do_transition(people["citizen"], waiting, "supplement_received")
    assert bare.value.code == "case.materials_missing"
    with pytest.raises(TongbanError) as stranger:
        do_supplement_online(people["other_citizen"], waiting, [(ID_CARD, PDF, ""), ("补充说明", PDF, "")])
    assert stranger.value.code == "case.not_found"
    case = Case.objects.get(pk=waiting.pk)
    assert case.state == State.SUPPLEMENT and not case.files.filter(source=FileSource.SUPPLEMENT).exists()


def test_a_stale_double_submission_applies_once(people, waiting, on_day):
    on_day(D(2026, 10, 9))
    files = [(ID_CARD, PDF, "id.pdf"), ("补充说明", PDF, "note.pdf")]
    do_supplement_online(people["citizen"], waiting, files, expected_version=waiting.version)
    with pytest.raises(TongbanError) as twice:
        do_supplement_online(people["citizen"], waiting, files, expected_version=waiting.version)
    assert twice.value.code in ("case.conflict", "case.bad_transition", "case.no_supplement")
    assert CaseFile.objects.filter(case=waiting, source=FileSource.SUPPLEMENT).count() == 2
