"""The public verify pages and the signed file download."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.verification.actions import as_file
from tongban.verification.tests.conftest import FULL_ID


def test_the_verify_page_is_public_and_shows_only_masked_data(client, issued):
    case, doc = issued
    response = client.get(reverse("verification:page", args=[doc.doc_id]))
    html = response.content.decode()
    assert response.status_code == 200 and '<html lang="zh-Hans">' in html
    assert "有效" in html and "签名有效，文书内容未被改动，未被吊销" in html
    for shown in (case.number, case.item.name, "张*", "110105********002X", "准予办理", "2026年10月9日",
                  "北京市通州区人力资源和社会保障局", "电子证照", "local"):
        assert shown in html
    assert FULL_ID not in html and "张三" not in html and "13812345678" not in html


def test_an_unknown_document_id_is_not_found(client, issued):
    response = client.get(reverse("verification:page", args=["local:0000"]))
    assert response.status_code == 404 and "查无此文书" in response.content.decode()


def test_a_citizen_uploads_or_pastes_a_file_to_check_it(client, issued):
    case, doc = issued
    text = json.dumps(as_file(doc), ensure_ascii=False)
    upload = SimpleUploadedFile("result.json", text.encode(), content_type="application/json")
    html = client.post(reverse("verification:check"), {"file": upload}).content.decode()
    assert "verify-valid" in html and case.number in html

    altered = text.replace(case.number, case.number[:-1] + "9")
    html = client.post(reverse("verification:check"), {"text": altered}).content.decode()
    assert "verify-invalid" in html and "签名无效" in html

    html = client.post(reverse("verification:check"), {"text": "不是文件"}).content.decode()
    assert "verify-malformed" in html and "不是有效的 JSON" in html

    html = client.post(reverse("verification:check"), {}).content.decode()
    assert "请上传文件或粘贴文件内容" in html and "verify-result" not in html


def test_the_file_downloads_for_those_who_may_view_the_case(client, people, make_case):
    case = make_case("completion")
    url = reverse("verification:download", args=[case.number])
    client.force_login(people["lf_rsj"])  # another region's approver: the case does not exist for them
    assert client.get(url).status_code == 404
    client.force_login(people["sanhe_window"])  # the receiving window may view it
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{case.number}-result.json"'
    data = json.loads(response.content)
    assert data["format"] == "tongban-result/1" and data["issuer"] == "local"
    assert data["payload"]["case_number"] == case.number and data["signature"]
    assert client.get(url).content == response.content  # issued once


def test_no_file_before_the_decision(client, people, make_case):
    case = make_case("acceptance")
    client.force_login(people["tz_rsj"])
    response = client.get(reverse("verification:download", args=[case.number]))
    assert response.status_code == 404 and "尚未办结" in response.content.decode()


def test_the_status_endpoint_answers_for_documents_issued_here(client, issued):
    case, doc = issued
    data = client.get(reverse("verification:status", args=[doc.doc_id])).json()
    assert data["status"]["state"] == "valid" and data["issuer"] == "local"
    assert client.get(reverse("verification:status", args=["langfang:abc"])).status_code == 404
