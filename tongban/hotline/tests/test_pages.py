"""The hotline pages through Django's test client: who sees what, and each POST doing one action."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from openpyxl import load_workbook

from tongban.hotline import actions, dispatch
from tongban.hotline.models import Complaint, State, WhistleTask

from .conftest import register

pytestmark = pytest.mark.django_db

CORPUS = {
    "环境保护": ["工地夜间施工噪音扰民", "餐馆油烟直排熏得开不了窗", "河道污水发黑发臭", "垃圾站臭味熏天",
             "工厂排放刺鼻废气",
             "广场舞音响声音太大吵得睡不着", "露天焚烧垃圾烟很大", "烧烤摊烟雾大油烟重"],
    "城乡建设": ["小区电梯经常停运物业不修", "楼道墙皮脱落物业推诿", "开发商延期交房", "房产证迟迟办不下来",
             "老旧小区改造施工拖延", "小区路灯损坏多日", "暖气不热供暖公司不上门", "小区地下管道堵塞"],
}


@pytest.fixture
def model(hl, tmp_path):
    path = tmp_path / "history.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        for label, texts in CORPUS.items():
            for place in ("幸福里小区", "运河花园", "玉桥东里"):
                writer.writerows([(place + t, label) for t in texts])
    return dispatch.do_train(path, "text", "label", with_feedback=False)


def login(client, hl, who):
    client.force_login(hl["people"][who])
    return client


def test_operator_intake_suggests_and_dispatches(client, hl, model):
    login(client, hl, "tz_op")
    page = client.get("/hotline/")
    assert page.status_code == 200 and "登记并派单" in page.content.decode()
    fragment = client.post("/hotline/suggest/", {"text": "幸福里小区晚上工地施工噪音太大"}).content.decode()
    assert fragment.index("环境保护") < fragment.index("城乡建设")  # best suggestion first
    assert "通州区生态环境局" in fragment and f"模型 v{model.version}" in fragment

    response = client.post("/hotline/", {
        "caller_name": "王先生", "caller_phone": "13812345678", "street": hl["units"]["beiyuan"].pk,
        "address": "幸福里小区", "text": "幸福里小区晚上工地施工噪音太大", "category": hl["housing"].pk,
        "suggestions": '[{"category": "环境保护", "confidence": 0.7, "unit": "通州区生态环境局"}]',
        "model_version": model.version, "dispatch": "1"})
    c = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/hotline/complaints/{c.number}/"
    assert c.unit is not None
    assert (c.state, c.category, c.unit.name, c.overridden, c.model_version) == (
        State.DISPATCHED, hl["housing"], "通州区住建委", True, model.version)
    detail = client.get(response["Location"]).content.decode()
    assert "138****5678" in detail and "13812345678" not in detail and "人工改派" in detail


def test_same_form_sent_twice_registers_once(client, hl, model):
    login(client, hl, "tz_op")
    form = {"text": "幸福里小区晚上工地施工噪音太大", "intake_key": "k1", "category": hl["noise"].pk, "dispatch": "1"}
    first = client.post("/hotline/", form)
    again = client.post("/hotline/", form, follow=True)
    assert Complaint.objects.count() == 1 and first["Location"] == again.redirect_chain[0][0]
    assert "未重复登记" in again.content.decode()


def test_forged_suggestions_do_not_break_intake(client, hl):
    login(client, hl, "tz_op")
    for bad in ("abc", "[1]", '{"x": 1}'):
        client.post("/hotline/", {"text": f"幸福里小区晚上工地施工噪音太大{bad}", "category": hl["noise"].pk,
                                  "suggestions": bad, "dispatch": "1"})
    assert Complaint.objects.filter(state=State.DISPATCHED, suggestions=[]).count() == 3
    response = client.post("/hotline/", {"text": "运河花园垃圾站臭味熏天", "category": hl["noise"].pk,
                                         "model_version": "-1", "dispatch": "1"})
    assert response.status_code == 200 and Complaint.objects.count() == 3  # refused before registering


def test_web_complaint_dispatched_from_its_page_with_suggestions(client, hl, model):
    c = actions.do_register(AnonymousUser(), actions.Intake(region=hl["tz"], channel="web",
                                                            text="幸福里小区晚上工地施工噪音太大"))
    login(client, hl, "tz_op")
    page = client.get(f"/hotline/complaints/{c.number}/").content.decode()
    assert "系统建议" in page and 'name="suggestions"' in page
    suggestions = '[{"category": "环境保护", "confidence": 0.9, "unit": "通州区生态环境局"}]'
    client.post(f"/hotline/complaints/{c.number}/act/dispatch/", {
        "version": c.version, "category": hl["housing"].pk, "suggestions": suggestions,
        "model_version": model.version})
    c.refresh_from_db()
    assert (c.state, c.category, c.overridden, c.model_version) == (State.DISPATCHED, hl["housing"], True,
                                                                    model.version)


def test_intake_errors_keep_the_text(client, hl):
    login(client, hl, "tz_op")
    response = client.post("/hotline/", {"text": "吵", "caller_phone": "1"})
    assert response.status_code == 200 and not Complaint.objects.exists()
    assert "吵" in response.content.decode()


def test_handler_inbox_contact_whistle_report_reply_and_callback(client, hl):
    u = hl["units"]
    c = actions.do_dispatch(hl["people"]["tz_op"], register(hl), hl["housing"], u["beiyuan"])
    login(client, hl, "beiyuan")
    assert c.number in client.get("/hotline/complaints/").content.decode()
    client.post(f"/hotline/complaints/{c.number}/act/contact/", {"version": c.version, "note": "已联系"})
    c.refresh_from_db()
    assert c.state == State.CONTACTED
    # a stale page (old version) changes nothing
    client.post(f"/hotline/complaints/{c.number}/act/reply/", {"version": c.version - 1, "note": "答复"})
    c.refresh_from_db()
    assert c.state == State.CONTACTED
    client.post(f"/hotline/complaints/{c.number}/act/whistle/", {
        "version": c.version, "unit": [u["zjw"].pk, u["cgw"].pk], f"task_{u['zjw'].pk}": "核查违建",
        f"hours_{u['zjw'].pk}": "24", f"task_{u['cgw'].pk}": "清理占道", f"hours_{u['cgw'].pk}": "48"})
    c.refresh_from_db()
    assert c.state == State.WHISTLED and c.whistle_tasks.count() == 2
    board = client.get("/hotline/whistle/").content.decode()
    assert "核查违建" in board and "清理占道" in board

    for who, unit in (("zjw", "zjw"), ("cgw", "cgw")):
        login(client, hl, who)
        task = WhistleTask.objects.get(unit=u[unit])
        assert "吹哨报到任务" in client.get("/hotline/complaints/").content.decode()
        client.post(f"/hotline/tasks/{task.pk}/report/", {"report": "已处理"})
    c.refresh_from_db()
    assert c.state == State.CONTACTED

    login(client, hl, "beiyuan")
    client.post(f"/hotline/complaints/{c.number}/act/reply/", {"version": c.version, "note": "已全部处理"})
    login(client, hl, "tz_op")
    c.refresh_from_db()
    client.post(f"/hotline/complaints/{c.number}/act/callback/",
                {"version": c.version, "solved": "yes", "satisfaction": "basic"})
    c.refresh_from_db()
    assert (c.state, c.solved, c.satisfaction) == (State.CLOSED, True, "basic")


def test_who_may_see(client, hl):
    c = register(hl)
    assert client.get("/hotline/complaints/").status_code == 302  # to the login page
    login(client, hl, "citizen")
    assert client.get("/hotline/complaints/").status_code == 403
    login(client, hl, "lf_op")
    assert client.get(f"/hotline/complaints/{c.number}/").status_code == 404
    login(client, hl, "zjw")  # not dispatched to them
    assert client.get(f"/hotline/complaints/{c.number}/").status_code == 404
    login(client, hl, "tz_sup")
    assert client.get(f"/hotline/complaints/{c.number}/").status_code == 200
    response = client.post(f"/hotline/complaints/{c.number}/act/dispatch/",
                           {"version": c.version, "category": hl["noise"].pk}, follow=True)
    assert "没有接诉即办的相应权限" in response.content.decode()
    assert Complaint.objects.get(pk=c.pk).state == State.REGISTERED


def test_public_web_form(client, hl):
    page = client.get("/hotline/report/")
    assert page.status_code == 200 and "我要反映" in page.content.decode()
    response = client.post("/hotline/report/", {"region": "131000", "text": "燕郊天洋城小区门口违章停车堵路",
                                                "caller_phone": "13912345678"})
    c = Complaint.objects.get()
    assert c.number in response.content.decode() and (c.region, c.channel) == (hl["lf"], "web")


def test_the_web_form_opened_from_a_search_that_found_nothing_says_what_was_searched(client, hl):
    page = client.get("/hotline/report/", {"text": "想开个宠物医院"}).content.decode()
    assert "我想办理：想开个宠物医院。在事项搜索中没有找到对应的事项" in page
    assert not Complaint.objects.exists()  # nothing is registered until the resident sends it


def test_rates_page_and_excel(client, hl):
    p = hl["people"]
    c = actions.do_contact(p["hbj"], actions.do_dispatch(p["tz_op"], register(hl), hl["noise"]))
    actions.do_callback(p["tz_op"], actions.do_reply(p["hbj"], c, "已处理"), solved=True, satisfaction="satisfied")
    login(client, hl, "tz_sup")
    page = client.get("/hotline/rates/", {"month": "2026-09"}).content.decode()
    assert "通州区生态环境局" in page and "dashboard-data" in page
    assert client.get("/hotline/rates/", {"month": "1999-01"}).status_code == 200  # back to this month
    response = client.get("/hotline/rates.xlsx", {"month": "2026-09"})
    assert response["Content-Disposition"].endswith('2026-09.xlsx"')
    rows = list(load_workbook(io.BytesIO(response.content))["三率排名"].iter_rows(values_only=True))
    assert rows[2][:2] == (1, "通州区生态环境局") and rows[2][-1] == 100


def test_hot_board_groups_repeated_complaints(client, hl):
    for i in range(4):
        hl["clock"].advance(hours=3)
        register(hl, text=f"幸福里小区东侧工地夜间施工噪音扰民，凌晨还在打桩，第{i + 1}次反映", address="幸福里小区")
    register(hl, text="运河花园小区电梯经常停运物业不维修", address="运河花园")
    login(client, hl, "hbj")  # a unit's handler may not read the whole region's complaints
    assert client.get("/hotline/hot/").status_code == 403
    login(client, hl, "tz_op")
    page = client.get("/hotline/hot/", {"days": "365"}).content.decode()
    assert "4 件" in page and "运河花园小区电梯" not in page.split("查看诉求")[0]
