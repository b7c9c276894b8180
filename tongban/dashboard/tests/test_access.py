"""Who sees the dashboard: administrators both regions, other staff their own region, citizens nothing."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model

from tongban.dashboard.tests.helpers import tables


def total(html: str) -> str:
    match = re.search(r'<strong>([^<]+)</strong>\s*<span>办件量</span>', html)
    assert match is not None
    return match.group(1)


def test_anonymous_is_sent_to_login_and_a_citizen_is_refused(client, year, people):
    for url in ("/dashboard/", "/dashboard/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={url}"
    client.force_login(people["citizen"])
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/export.csv").status_code == 403


def test_an_approver_sees_only_the_own_region_whatever_the_address_asks(client, year, people):
    client.force_login(people["tz_rsj"])
    html = client.get("/dashboard/").content.decode()
    assert total(html) == "6" and "北京城市副中心（通州区）（含收件或审批在本地的办件）" in html
    assert "两地全部" not in html and '<option value="131000"' not in html
    html = client.get("/dashboard/", {"region": "131000"}).content.decode()
    assert total(html) == "6" and "选择一个有效的选项" in html
    csv = client.get("/dashboard/export.csv", {"region": "131000"}).content.decode("utf-8-sig")
    assert "统计范围,地区,北京城市副中心（通州区）" in csv and "概况,办件量,6" in csv


def test_a_county_window_officer_sees_the_city(client, year, people):
    client.force_login(people["sanhe_window"])  # 三河 is part of 廊坊
    html = client.get("/dashboard/").content.decode()
    assert total(html) == "7" and "廊坊市（含收件或审批在本地的办件）" in html
    assert tables(html)["table-receiving"] == {"通州": "2", "廊坊": "1", "三河": "4"}


def test_administrators_and_operators_choose_the_region(client, year, people):
    operator = get_user_model().objects.create_superuser("operator", password="pw-for-tests-only")
    for user in (people["lf_admin"], operator):
        client.force_login(user)
        assert total(client.get("/dashboard/").content.decode()) == "8"
        assert total(client.get("/dashboard/", {"region": "110112"}).content.decode()) == "6"
