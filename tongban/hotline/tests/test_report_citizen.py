"""我要反映 by a logged-in resident: name and mobile prefilled from the real-name account, the complaint
linked to the account (`reporter`); the done page gives the number and the way to follow it."""

from __future__ import annotations

import re

from tongban.accounts.models import Citizen
from tongban.core import clock
from tongban.hotline.models import Complaint


def resident(hl):
    user = hl["people"]["citizen"]
    Citizen.objects.create(user=user, name="赵六", id_number="11010519491231002X", phone="13700001234",
                           region=hl["tz"], phone_verified_at=clock.now(), created_at=clock.now())
    return user


def test_a_logged_in_resident_finds_the_form_prefilled_and_is_the_reporter(client, hl):
    user = resident(hl)
    client.force_login(user)
    page = client.get("/hotline/report/").content.decode()
    assert 'value="赵六"' in page and 'value="13700001234"' in page
    key = re.search(r'name="intake_key" value="([0-9a-f]+)"', page)
    assert key is not None
    form = key.group(1)
    done = client.post("/hotline/report/", {"region": "110112", "text": "北苑路口红绿灯坏了三天没人修",
                                            "caller_name": "赵六", "caller_phone": "13700001234",
                                            "intake_key": form}).content.decode()
    complaint = Complaint.objects.get()
    assert (complaint.reporter, complaint.caller_phone) == (user, "13700001234")
    assert complaint.number in done and f"/hotline/progress/?number={complaint.number}" in done
    assert "答复会以短信发送" in done


def test_anonymous_and_staff_reports_have_no_reporter(client, hl):
    client.post("/hotline/report/", {"region": "110112", "text": "中仓街道垃圾桶满了没人清运"})
    client.force_login(hl["people"]["tz_op"])  # an operator on the public form is not a resident
    client.post("/hotline/report/", {"region": "110112", "text": "中仓街道路灯不亮已经一周",
                                     "caller_phone": "13812345678"})
    assert list(Complaint.objects.values_list("reporter", flat=True)) == [None, None]


def test_the_report_page_promises_what_the_operator_can_keep(client, hl):
    page = client.get("/hotline/report/").content.decode()
    assert "承办单位会联系您并答复" not in page
    assert "短信" in page and "/hotline/progress/" in page
    done = client.post("/hotline/report/", {"region": "110112", "text": "中仓街道垃圾桶满了没人清运"}).content.decode()
    assert "无法在线查询进度" in done  # no phone left: no SMS and no lookup, and the page says so
