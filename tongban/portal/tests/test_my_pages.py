"""我的: a resident sees their own cases (by account, or ID number and phone), complaints, licences and messages."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from tongban.core import clock
from tongban.notifications.actions import do_notify
from tongban.notifications.models import Notification
from tongban.portal.tests.conftest import LI_ID


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_my_cases_lists_own_cases_only_and_other_cases_are_404(client, residents, receive):
    by_id = receive()  # received at the window under 王小明's ID number and phone: no account on the case
    by_enterprise = receive(applicant_kind="enterprise", applicant_name="通州示例餐饮有限公司",
                            applicant_credit_code="91110112MA01A2B3C8")  # he is its legal representative
    others = receive(applicant_name="李红", applicant_id_number=LI_ID, applicant_phone="13900000002")
    client.force_login(residents["wang"].user)
    page = html(client.get("/my/cases/"))
    assert by_id.number in page and by_enterprise.number in page and others.number not in page
    assert "未受理" in page  # the clock summary
    assert client.get(f"/cases/{by_id.number}/").status_code == 200
    assert client.get(f"/cases/{by_enterprise.number}/").status_code == 200
    assert client.get(f"/cases/{others.number}/").status_code == 404
    client.force_login(residents["li"].user)
    page = html(client.get("/my/cases/"))
    assert others.number in page and by_id.number not in page and by_enterprise.number not in page


def test_a_window_case_under_my_id_number_but_another_phone_is_not_mine(client, residents, receive):
    # anyone may type 王小明's ID number at a window: without his verified phone the case is not his
    typed = receive(applicant_phone="13700000099")
    landline = receive(applicant_phone="01081234567")
    # nor is a case of his enterprise's credit code under someone else's ID number and phone
    credit_code_only = receive(applicant_kind="enterprise", applicant_name="通州示例餐饮有限公司",
                               applicant_credit_code="91110112MA01A2B3C8", applicant_id_number=LI_ID,
                               applicant_phone="13700000099")
    mine = receive()  # the same ID number and his phone
    client.force_login(residents["wang"].user)
    page = html(client.get("/my/cases/"))
    assert mine.number in page
    for case in (typed, landline, credit_code_only):
        assert case.number not in page
        assert client.get(f"/cases/{case.number}/").status_code == 404


def test_my_dashboard_counts_and_links(client, residents, receive):
    receive()
    client.force_login(residents["wang"].user)
    page = html(client.get("/my/"))
    for link in ("/my/cases/", "/my/complaints/", "/my/documents/", "/my/messages/", "/register/enterprise/"):
        assert f'href="{link}"' in page
    assert "通州示例餐饮有限公司" in page and "110112********0014" in page and "110112199001010014" not in page


def test_my_pages_need_a_resident(client, residents):
    assert client.get("/my/")["Location"].startswith("/login/?next=/my/")
    client.force_login(residents["window"])
    assert client.get("/my/").status_code == 403
    client.force_login(get_user_model().objects.create_user("zhangsan", password="pw-for-tests-only"))
    assert client.get("/my/cases/").status_code == 403


def test_my_complaints_are_those_left_with_my_phone(client, residents):
    from tongban.catalog.models import Region
    from tongban.hotline.models import Channel, Complaint

    region = Region.objects.get(code="110112")
    for number, phone in (("TBRX20260000001", "13800000001"), ("TBRX20260000002", "13900000002")):
        Complaint.objects.create(number=number, region=region, channel=Channel.WEB, caller_phone=phone,
                                 text=f"{number} 小区门口路灯坏了好几天", received_at=clock.now())
    client.force_login(residents["wang"].user)
    page = html(client.get("/my/complaints/"))
    assert "TBRX20260000001" in page and "TBRX20260000002" not in page


def test_my_documents_are_the_unrevoked_results_of_my_cases(client, residents, receive):
    from tongban.verification.models import ResultDocument

    mine, revoked, others = receive(), receive(), receive(applicant_id_number=LI_ID)
    for doc_id, case in (("local:mine", mine), ("local:revoked", revoked), ("local:others", others)):
        ResultDocument.objects.create(doc_id=doc_id, issuer="local", case=case, kind="licence", payload={},
                                      signature="-", issued_at=clock.now(),
                                      revoked_at=clock.now() if doc_id == "local:revoked" else None)
    client.force_login(residents["wang"].user)
    page = html(client.get("/my/documents/"))
    assert "/verify/local:mine/" in page and "local:revoked" not in page and "local:others" not in page


def test_my_messages_newest_first_unread_marked_opening_marks_read(client, residents):
    user = residents["wang"].user
    with transaction.atomic():
        do_notify(event="t:1", text="第一条：您的办件已受理", user=user, link="/my/cases/")
    with transaction.atomic():
        do_notify(event="t:2", text="第二条：请补正材料", user=user)
    Notification.objects.filter(event="t:1").update(created_at=clock.now() - datetime.timedelta(hours=1))
    other_user = get_user_model().objects.get(username="c13900000002")
    with transaction.atomic():
        do_notify(event="t:3", text="别人的消息", user=other_user)
    client.force_login(user)
    page = html(client.get("/my/messages/"))
    assert page.index("第二条") < page.index("第一条") and "别人的消息" not in page
    assert page.count('class="unread"') == 2
    first = Notification.objects.get(event="t:1")
    response = client.get(f"/my/messages/{first.pk}/")
    assert response.status_code == 302 and response["Location"] == "/my/cases/"  # the link is followed
    first.refresh_from_db()
    assert first.read_at is not None
    assert html(client.get("/my/messages/")).count('class="unread"') == 1
    second = Notification.objects.get(event="t:2")
    assert "请补正材料" in html(client.get(f"/my/messages/{second.pk}/"))  # no link: shown
    other = Notification.objects.get(event="t:3")
    assert client.get(f"/my/messages/{other.pk}/").status_code == 404


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/x"])
def test_a_message_link_off_this_site_is_not_followed(client, residents, link):
    user = residents["wang"].user
    with transaction.atomic():
        do_notify(event="t:x", text="外链", user=user, link=link)
    client.force_login(user)
    response = client.get(f"/my/messages/{Notification.objects.get(event='t:x').pk}/")
    assert response.status_code == 200


def test_my_complaints_include_those_i_reported_signed_in(client, residents):
    from tongban.catalog.models import Region
    from tongban.hotline.models import Channel, Complaint

    if not any(f.name == "reporter" for f in Complaint._meta.get_fields()):
        pytest.skip("complaints do not record their reporter yet")
    Complaint.objects.create(number="TBRX20260000003", region=Region.objects.get(code="110112"),
                             channel=Channel.WEB, caller_phone="01081234567", text="用座机留言，登录后提交",
                             received_at=clock.now(), reporter=residents["wang"].user)
    client.force_login(residents["wang"].user)
    assert "TBRX20260000003" in html(client.get("/my/complaints/"))
