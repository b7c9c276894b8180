"""One case through the pages, as the people doing it would: received at the 廊坊 window for a 通州
item, forwarded, accepted and decided in 通州, delivered and rated at the 廊坊 window.

The business clock (tongban.core.clock) is set to 2026-09-28 so the legal due date stays inside the loaded calendar
whatever day the suite runs on.
"""

import datetime

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser

VALID_ID = "11010519491231002X"


@pytest.fixture
def live_cases(audit_transactional_db, live_server, monkeypatch):
    from tongban.core import clock
    from tongban.demo.actions import do_load_demo
    from tongban.demo.cases import do_load_demo_people

    do_load_demo()
    do_load_demo_people()
    moment = timezone.make_aware(datetime.datetime(2026, 9, 28, 10, 0))
    # Only the business clock: time-machine would also back-date the session cookie's expiry, and the
    # browser, living in real time, would drop it. (clock.today() reads clock.now().)
    monkeypatch.setattr(clock, "now", lambda: moment)
    return live_server


def login(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("tongban-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def logout(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/")


def act(page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()
    assert page.locator(".message.error").count() == 0, page.locator(".message.error").all_inner_texts()


def test_case_from_langfang_window_to_rating(live_cases, page, screenshot):
    from tongban.cases.models import Case
    from tongban.catalog.models import Item

    item = (Item.objects.filter(competences__department__name="北京市通州区人力资源和社会保障局", mode_proxy=True,
                                legal_limit_days__gte=5, legal_limit_days__lte=20).order_by("code").first())
    assert item is not None
    base = live_cases.url

    # 1. 廊坊 window: find the 通州 item, check the materials, receive
    login(page, base, "lf_window")
    page.goto(base + "/cases/new/")
    page.get_by_label("搜索事项").fill(item.name)
    page.keyboard.press("Enter")
    page.get_by_role("link", name=item.name, exact=True).click()
    page.get_by_label("申请哪一地的事项（审批地区）").select_option("110112")
    page.get_by_label("申请人姓名 / 企业名称").fill("张三")
    page.get_by_label("身份证号（个人或法定代表人）").fill(VALID_ID)
    page.get_by_label("联系电话").fill("13812345678")
    for box in page.locator("fieldset input[type=checkbox]").all():
        box.check()
    screenshot("case-1-receive")
    page.get_by_role("button", name="收件").click()
    page.wait_for_url("**/cases/TB*/")
    number = page.url.rstrip("/").rsplit("/", 1)[1]
    assert "110105********002X" in page.content() and VALID_ID not in page.content()
    page.get_by_role("link", name="收件回执").click()
    assert number in page.content()
    screenshot("case-2-receipt")
    page.go_back()
    act(page, "预审转交")
    logout(page)

    # 2. 通州人社: the queue shows it; accept, review, decide
    login(page, base, "tz_rsj")
    page.goto(base + "/cases/")
    page.get_by_role("link", name=number).click()
    act(page, "受理")
    assert "法定期限" in page.content()
    act(page, "开始审查")
    page.get_by_label("准予办理").check()
    act(page, "作出决定")
    assert "按时办结" in page.content()
    screenshot("case-3-decided")
    logout(page)

    # 3. 廊坊 window: hand over the result, record the applicant's rating at the counter
    login(page, base, "lf_window")
    page.goto(f"{base}/cases/{number}/")
    act(page, "送达结果")
    page.goto(f"{base}/cases/{number}/rate/")
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state()
    assert "已评价" in page.content()
    screenshot("case-4-rated")

    case = Case.objects.get(number=number)
    assert (case.state, case.outcome, case.ratings.get().level) == ("delivered", "approved", 4)
    from tongban.audit.actions import verify

    assert verify().ok
