"""One complaint through the hotline pages, as the people doing it would: the 通州 operator types it and
takes the system's suggestion, the street calls the caller and blows the whistle, the department
reports, the street replies, the operator calls back, and the unit appears in the month's 三率 ranking.

The service's clock (tongban.core.clock, followed by the live server's thread too) starts at 2026-09-28
10:00 with time-machine, so the month and the limits do not depend on the day the suite runs.
"""

import datetime

import pytest
import time_machine
from django.utils import timezone
from test_case_flow import act, login, logout

pytestmark = pytest.mark.browser


@pytest.fixture
def live_hotline(audit_transactional_db, live_server):
    from tongban.catalog.models import Region
    from tongban.demo.hotline import do_load_demo_hotline

    for code, name, short in (("110112", "北京城市副中心（通州区）", "通州"), ("131000", "廊坊市", "廊坊")):
        Region.objects.get_or_create(code=code, defaults={"name": name, "short_name": short, "kind": "district"})
    do_load_demo_hotline(complaints=False)
    moment = timezone.make_aware(datetime.datetime(2026, 9, 28, 10, 0))
    with time_machine.travel(moment, tick=True):  # ticking: the browser and the server wait on real time
        yield live_server


def test_complaint_from_call_to_ranking(live_hotline, page, screenshot):
    from tongban.hotline.models import Complaint

    base = live_hotline.url
    login(page, base, "tz_12345")
    page.goto(base + "/hotline/")
    page.get_by_label("来电人").fill("王先生")
    page.get_by_label("联系电话").fill("13812345678")
    page.get_by_label("所在街乡镇").select_option(label="北苑街道")
    page.get_by_label("地点").fill("幸福里小区")
    page.get_by_label("诉求内容 *").fill("幸福里小区东侧工地夜间施工噪音扰民，凌晨两点还在打桩")
    suggestion = page.locator("#suggestions label.suggested").first
    suggestion.wait_for()
    assert "环境保护" in suggestion.inner_text()  # the model's first suggestion, checked by default
    assert suggestion.locator("input").is_checked()
    assert page.locator("#intake input[name=category]:checked").count() == 1
    assert "Intake" not in page.locator("#intake").inner_text()  # the one-time token is not shown
    page.get_by_label("承办单位（可改）").select_option(label="北苑街道")
    screenshot("hotline-intake")
    act(page, "登记并派单")
    complaint = Complaint.objects.get()
    assert complaint.unit is not None and complaint.category is not None
    assert complaint.unit.name == "北苑街道" and complaint.category.name == "环境保护"
    assert "138****5678" in page.content()
    logout(page)

    login(page, base, "tz_beiyuan")
    page.goto(base + "/hotline/complaints/")
    page.get_by_role("link", name=complaint.number).click()
    page.get_by_label("联系情况").fill("已电话联系王先生")
    act(page, "已联系")
    page.get_by_label("通州区住房和城乡建设委员会").check()
    page.locator(f"#task-{_unit('通州区住房和城乡建设委员会')}").fill("核查工地夜间施工许可")
    page.get_by_label("通州区生态环境局").check()
    page.locator(f"#task-{_unit('通州区生态环境局')}").fill("夜间噪声监测")
    act(page, "吹哨")
    page.goto(base + "/hotline/whistle/")
    assert "核查工地夜间施工许可" in page.content()
    screenshot("hotline-whistle")
    logout(page)

    for username in ("tz_zjw", "tz_hbj"):
        login(page, base, username)
        page.goto(base + f"/hotline/complaints/{complaint.number}/")
        page.get_by_label("报到情况").fill("已到现场处置")
        act(page, "报到")
        logout(page)

    login(page, base, "tz_beiyuan")
    page.goto(base + f"/hotline/complaints/{complaint.number}/")
    page.get_by_label("答复意见").fill("工地已停止夜间施工，违规行为已处罚。")
    act(page, "提交答复")
    logout(page)

    login(page, base, "tz_12345")
    page.goto(base + f"/hotline/complaints/{complaint.number}/")
    page.get_by_label("已解决").check()
    page.get_by_label("满意", exact=True).check()
    act(page, "记录回访")
    assert "已回访办结" in page.content()
    page.goto(base + "/hotline/rates/?month=2026-09")
    row = page.locator("#ranking tbody tr").first
    assert "北苑街道" in row.inner_text() and "100" in row.inner_text()
    page.locator(".chart.drawn svg").first.wait_for()  # the composite chart is drawn
    screenshot("hotline-rates")


def _unit(name: str) -> int:
    from tongban.hotline.models import Unit

    return Unit.objects.get(name=name).pk
