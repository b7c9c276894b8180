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


def test_the_anonymous_form_takes_five_reports_per_address_in_ten_minutes(client, hl):
    for i in range(5):
        done = client.post("/hotline/report/", {"region": "110112", "text": f"中仓街道第{i}号路灯不亮"})
        assert done.status_code == 200
    refused = client.post("/hotline/report/", {"region": "110112", "text": "中仓街道第6号路灯不亮"})
    assert refused.status_code == 429 and "提交过于频繁，请稍后再试或拨打12345" in refused.content.decode()
    assert Complaint.objects.count() == 5  # the sixth is not registered
    other = client.post("/hotline/report/", {"region": "110112", "text": "中仓街道第7号路灯不亮"},
                        REMOTE_ADDR="10.0.0.7")
    assert other.status_code == 200  # another address has its own count
    hl["clock"].advance(minutes=10)
    assert client.post("/hotline/report/", {"region": "110112", "text": "中仓街道第8号路灯不亮"}).status_code == 200
    assert Complaint.objects.count() == 7


def test_resubmitting_a_form_and_a_signed_in_resident_are_not_counted(client, hl):
    form = {"region": "110112", "text": "北苑路口红绿灯坏了三天没人修", "intake_key": "same-form"}
    for _ in range(7):  # a refreshed done page sends the same form again: the complaint it made, no count
        assert client.post("/hotline/report/", form).status_code == 200
    client.force_login(resident(hl))
    for i in range(6):
        assert client.post("/hotline/report/", {"region": "110112", "text": f"北苑第{i}号井盖丢失"}).status_code == 200
    assert Complaint.objects.count() == 7
