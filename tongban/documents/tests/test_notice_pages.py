"""Each notice renders, as a page and as a PDF, once the case has reached its state — and not before."""

import pytest
from django.urls import reverse

from tongban.cases.actions import do_transition
from tongban.documents.context import KINDS
from tongban.documents.pdf import notice_font
from tongban.documents.tests.conftest import FULL_ID

MASKED_ID = "110105********002X"


def page(client, case, kind):
    return client.get(reverse("documents:page", args=[case.number, kind]))


def pdf(client, case, kind):
    return client.get(reverse("documents:pdf", args=[case.number, kind]))


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_notice_renders_for_an_eligible_case(client, people, make_case, kind):
    case = make_case(kind)
    client.force_login(people["tz_rsj"])
    response = page(client, case, kind)
    html = response.content.decode()
    assert response.status_code == 200
    assert case.number in html and KINDS[kind] in html and MASKED_ID in html
    assert FULL_ID not in html and "13812345678" not in html
    # the QR's target is printed beside it: the tracking page, or on the completion notice the verify
    # page of the signed result (the tracking URL is then in the footnote)
    assert "<svg" in html and ("扫码核验文书真伪" if kind == "completion" else "扫码查询办理进度") in html
    assert f"http://testserver/progress/?number={case.number}" in html
    issuer = case.receiving_centre.name if kind == "receipt" else case.competent_department.name
    assert issuer in html

    response = pdf(client, case, kind)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{case.number}-{kind}.pdf"'
    assert response.content.startswith(b"%PDF") and len(response.content) > 5000
    assert notice_font().encode() in response.content  # the Chinese font the text is set in
    assert b"/Count 1" in response.content  # fits on one A4 sheet


def test_notices_say_what_the_case_needs(client, people, make_case):
    client.force_login(people["sanhe_window"])
    case = make_case("supplement")
    html = page(client, case, "supplement").content.decode()
    assert html.count("<li>解除劳动关系证明</li>") == 1 and "<li>银行账户信息</li>" in html  # listed once
    assert "暂停计时" in html and "复印件须加盖公章" in html

    accepted = make_case("acceptance", applicant_name="李四")
    html = page(client, accepted, "acceptance").content.decode()
    # 20 working days after 2026-09-28: the National Day holiday is skipped, the make-up days counted
    assert "受理日期" in html and "2026年9月28日" in html and "个工作日，至 2026年10月" in html

    refused = make_case("refusal")
    html = page(client, refused, "refusal").content.decode()
    assert "申请事项不属于本机关职权范围" in html and "第三十二条" in html
    assert "六十日内" in html and "行政复议" in html and "六个月内" in html and "行政诉讼" in html


def test_notices_are_404_until_the_case_reaches_their_state(client, people, make_case):
    client.force_login(people["tz_rsj"])
    case = make_case("receipt")
    for kind in ("acceptance", "refusal", "supplement", "completion"):
        for response in (page(client, case, kind), pdf(client, case, kind)):
            assert response.status_code == 404
            assert "暂不能出具" in response.content.decode() and KINDS[kind] in response.content.decode()
    assert "尚未受理" in page(client, case, "acceptance").content.decode()

    refused = make_case("refusal")
    assert page(client, refused, "acceptance").status_code == 404
    assert page(client, refused, "completion").status_code == 404
    delivered = do_transition(people["sanhe_window"], refused, "deliver")
    assert page(client, delivered, "refusal").status_code == 200  # still issued after delivery
    assert page(client, delivered, "completion").status_code == 404  # delivered, but never decided


def test_only_users_who_can_view_the_case_see_its_notices(client, people, make_case):
    case = make_case("completion")  # 张三's case: the citizen with his verified ID number sees it, no one else
    client.force_login(people["citizen"])
    assert page(client, case, "receipt").status_code == 200
    for name in ("lf_rsj", "tz_window", "other_citizen"):
        client.force_login(people[name])
        for kind in KINDS:
            response = page(client, case, kind)
            assert response.status_code == 404, (name, kind)
            assert "暂不能出具" not in response.content.decode()  # no hint that the case exists
            assert pdf(client, case, kind).status_code == 404
    client.logout()
    assert page(client, case, "receipt").status_code == 302  # to the login page
    client.force_login(people["tz_admin"])
    assert page(client, case, "completion").status_code == 200


def test_unknown_kind_and_unknown_case_are_404(client, people, make_case):
    case = make_case("receipt")
    client.force_login(people["tz_rsj"])
    assert client.get(f"/cases/{case.number}/documents/licence/").status_code == 404
    assert client.get("/cases/TB20269999999/documents/receipt/").status_code == 404


def test_completion_says_how_the_result_is_delivered_and_a_denial_its_remedies(client, people, make_case):
    client.force_login(people["tz_rsj"])
    html = page(client, make_case("completion"), "completion").content.decode()
    assert "准予办理" in html and "2026年10月9日" in html and "三河市政务服务中心区域通办专窗领取" in html
    assert "行政复议" not in html

    posted = make_case("completion", delivery="post", delivery_address="河北省三河市燕郊镇某路 1 号")
    assert "邮寄方式送达：河北省三河市燕郊镇某路 1 号" in page(client, posted, "completion").content.decode()

    denied = make_case("acceptance", delivery="electronic")
    denied = do_transition(people["tz_rsj"], denied, "decide", outcome="denied", note="缴费年限不足 15 年")
    html = page(client, denied, "completion").content.decode()
    assert "不予办理" in html and "缴费年限不足 15 年" in html and "电子证照" in html and "行政复议" in html


def test_a_supplement_asked_by_the_window_before_acceptance_is_issued_by_the_centre(client, people, make_case):
    case = make_case("receipt")
    case = do_transition(people["sanhe_window"], case, "request_supplement", missing=["户口簿"])
    client.force_login(people["sanhe_window"])
    html = page(client, case, "supplement").content.decode()
    assert "<li>户口簿</li>" in html and "尚未受理" in html
    assert "三河市政务服务中心</p>" in html  # the issuing body in the signature block
