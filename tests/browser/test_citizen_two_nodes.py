"""The citizen's own 通办 across the two nodes, in a real browser on a phone (390 × 844).

Two nodes run as real processes (web server and worker each, as `make demo` runs them). A resident of
三河 registers on the 廊坊 node with an SMS code, applies online on the 廊坊 portal for a 通州 item with
uploads, the 通州 department asks for a 补正 on its own node, the resident gets the SMS on 廊坊 and uploads
there, the 通州 department accepts, decides and delivers; the resident gets the 办结 SMS, verifies the
result by its link, follows the case by number without a login, and rates it by the SMS's one-time link.

Every SMS is read from what the 廊坊 node's demo gateway sent (its database, read directly), as the
resident reads it on their phone. On PostgreSQL (DATABASE_URL set) each node gets its own database.
"""

from __future__ import annotations

import re
import time

import pytest

from testsupport.browser import no_sideways_scroll, shot
from testsupport.federation import free_port, node_pg_urls, node_rows, recreate_pg
from tongban.demo import nodes as demo_nodes

pytestmark = pytest.mark.browser

PHONE, NAME, ID_NUMBER = "13900000077", "周三河", "11010519491231002X"
PASSWORD = "Sanhe-2026-pw"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WAIT = 60.0


def wait_for(what: str, probe, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"waited {timeout:.0f} s for {what}")


def sms(node, containing: str) -> str:
    """The newest SMS to the resident's phone that contains `containing`, once the worker has sent it."""
    def probe():
        texts = [t for (t,) in node_rows(node, "SELECT text FROM notifications_demosms WHERE phone = ? ORDER BY id",
                                    (PHONE,)) if containing in t]
        return texts[-1] if texts else None
    return wait_for(f"an SMS containing {containing!r}", probe)


def case_state(node, number: str) -> str | None:
    found = node_rows(node, "SELECT state FROM cases_case WHERE number = ?", (number,))
    return found[0][0] if found else None


@pytest.fixture
def two_nodes(tmp_path):
    pg = node_pg_urls("citizen")
    if pg:
        recreate_pg(pg)
    tongzhou, langfang = demo_nodes.two_nodes(tmp_path, free_port(), pg or ("", ""))
    langfang.port = free_port()
    demo_nodes.write_bundle([tongzhou, langfang])
    demo_nodes.setup([tongzhou, langfang])
    for node in (tongzhou, langfang):
        node.start()
    try:
        for node in (tongzhou, langfang):
            node.wait_until_up()
        yield tongzhou, langfang
    finally:
        for node in (tongzhou, langfang):
            node.kill()
        if pg:
            recreate_pg(pg, create=False)


@pytest.fixture
def desk(browser):
    """The 通州 approving officer's screen."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def act(page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()
    assert page.locator(".message.error").count() == 0, page.locator(".message.error").all_inner_texts()


def online_item(node) -> tuple[str, str]:
    """A 通州 item of 通州人社 that offers 全程网办 and needs materials."""
    found = node_rows(node, """SELECT i.code, i.name FROM catalog_item i
                          JOIN catalog_competence c ON c.item_id = i.id
                          JOIN catalog_department d ON d.id = c.department_id
                          WHERE d.name = '北京市通州区人力资源和社会保障局' AND i.mode_online
                          AND EXISTS (SELECT 1 FROM catalog_material m WHERE m.item_id = i.id AND m.required)
                          ORDER BY i.code LIMIT 1""")
    assert found, "the demo catalogue has no online item of 通州人社"
    return found[0]


def upload_every_file(page, tmp_path) -> None:
    inputs = page.locator("input[type=file]")
    for n in range(inputs.count()):
        path = tmp_path / f"material-{n}.pdf"
        path.write_bytes(PDF)
        inputs.nth(n).set_input_files(str(path))


def test_a_resident_of_sanhe_applies_online_for_a_tongzhou_item_and_follows_it_to_the_rating(
        two_nodes, phone, desk, tmp_path):
    tongzhou, langfang = two_nodes
    lf, tz = langfang.url, tongzhou.url
    code, name = online_item(tongzhou)

    # 1. register on the 廊坊 node (their own region's), the phone confirmed by an SMS code
    phone.goto(lf + "/register/")
    phone.get_by_label("手机号").fill(PHONE)
    phone.get_by_role("button", name="获取验证码").click()
    sms_code = re.search(r"验证码 (\d{6})", sms(langfang, "验证码"))
    assert sms_code is not None
    phone.get_by_label("短信验证码").fill(sms_code.group(1))
    phone.get_by_label("姓名").fill(NAME)
    phone.get_by_label("身份证号").fill(ID_NUMBER)
    phone.get_by_label("所在地区").select_option("131082")  # 三河市
    phone.get_by_label("设置密码").fill(PASSWORD)
    phone.get_by_label("再次输入密码").fill(PASSWORD)
    no_sideways_scroll(phone)
    phone.get_by_role("button", name="注册", exact=True).click()
    phone.wait_for_url("**/my/")

    # 2. apply online on the 廊坊 portal for the 通州 item, one PDF per material
    phone.goto(f"{lf}/items/{code}/")
    no_sideways_scroll(phone)
    phone.get_by_role("link", name="网上申请").first.click()
    phone.wait_for_url(f"**/apply/{code}/")
    assert NAME in phone.content()  # the applicant is the account's verified identity
    upload_every_file(phone, tmp_path)
    no_sideways_scroll(phone)
    shot(phone, "citizen-nodes-1-apply")
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_url(re.compile(r".*/cases/LF\d+/$"))
    number = phone.url.rstrip("/").rsplit("/", 1)[1]
    assert "收件" in sms(langfang, number)
    # the case and its files reach the 通州 node, which holds it
    wait_for("the case at 通州", lambda: case_state(tongzhou, number) == "submitted")
    files_tz = node_rows(tongzhou, "SELECT f.sha256 FROM cases_casefile f JOIN cases_case c ON c.id = f.case_id "
                              "WHERE c.number = ?", (number,))
    assert files_tz and all(len(sha) == 64 for (sha,) in files_tz)
    assert all((tongzhou.data_dir / "blobs" / sha[:2] / sha).read_bytes() == PDF for (sha,) in files_tz)

    # 3. 通州人社 asks for a 补正 on its own node
    desk.goto(tz + "/accounts/login/")
    desk.get_by_label("用户名").fill("tz_rsj")
    desk.get_by_label("密码").fill("tongban-demo")
    desk.get_by_role("button", name="登录").click()
    desk.wait_for_url(lambda url: "/accounts/login/" not in url)
    desk.goto(f"{tz}/cases/{number}/")
    assert desk.locator("a[href*='/files/']").count() >= 1  # the uploads are on the 通州 case page
    missing = desk.locator("input[name='request_supplement-missing']").first
    material = missing.get_attribute("value")
    missing.check()
    act(desk, "一次性告知补正")
    assert case_state(tongzhou, number) == "supplement"

    # 4. the resident gets the 补正 SMS from the 廊坊 node and uploads there
    text = sms(langfang, "补正")
    assert material in text or "补正" in text
    link = re.search(r"https?://\S+/cases/\S+/supplement/", text)
    assert link is not None, text
    phone.goto(link.group(0))
    no_sideways_scroll(phone)
    upload_every_file(phone, tmp_path)
    shot(phone, "citizen-nodes-2-supplement")
    phone.get_by_role("button", name="提交补正材料").click()
    phone.wait_for_load_state()
    assert phone.locator(".message.error").count() == 0, phone.locator(".message.error").all_inner_texts()
    wait_for("the 补正 recorded at 通州", lambda: case_state(tongzhou, number) == "submitted")

    # 5. 通州人社 accepts, decides and delivers the electronic licence
    desk.goto(f"{tz}/cases/{number}/")
    act(desk, "受理")
    desk.get_by_label("准予办理").check()
    act(desk, "作出决定")
    act(desk, "送达结果")
    assert case_state(tongzhou, number) == "delivered"

    # 6. the 办结 SMS on 廊坊 carries the link that verifies the signed result
    decided = sms(langfang, "/verify/")
    assert "已办结" in decided
    verify = re.search(r"https?://\S+/verify/\S+/", decided)
    assert verify is not None, decided
    phone.goto(verify.group(0))
    assert "签名有效" in phone.content()
    no_sideways_scroll(phone)
    shot(phone, "citizen-nodes-3-verify")

    # 7. progress by number and name, without a login (a fresh browser: nobody signed in)
    phone.context.clear_cookies()
    phone.goto(f"{lf}/progress/?number={number}")
    phone.get_by_label("申请人姓名或手机号后四位").fill(NAME)
    phone.get_by_role("button", name="查询").click()
    phone.wait_for_load_state()
    assert "已送达" in phone.content() and ID_NUMBER not in phone.content()
    no_sideways_scroll(phone)
    shot(phone, "citizen-nodes-4-progress")

    # 8. the rating invitation's one-time link: the window and the department rated apart
    invitation = re.search(r"https?://\S+/rate/\S+/", sms(langfang, "/rate/"))
    assert invitation is not None
    phone.goto(invitation.group(0))
    no_sideways_scroll(phone)
    for box in phone.locator("input[type=radio][value='5']").all():
        box.check()
    shot(phone, "citizen-nodes-5-rate")
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_load_state()
    assert phone.locator(".message.error, .error").count() == 0
    ratings = node_rows(langfang, "SELECT r.target, r.level FROM ratings_rating r JOIN cases_case c "
                                  "ON c.id = r.case_id WHERE c.number = ? ORDER BY r.target", (number,))
    assert sorted(ratings) == [("department", 5), ("window", 5)]
    phone.goto(invitation.group(0))  # the link works once
    assert "已" in phone.content()
