"""Case pages through the test client: workbench receipt, queue order and marks, actions, citizen view."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.cases.actions import do_receive, do_transition
from tongban.cases.models import Case, State
from tongban.cases.tests.conftest import PDF, PHONE, VALID_ID, application, online_application

D = datetime.date


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_window_receives_an_item_of_the_other_region(client, people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    client.force_login(people["sanhe_window"])
    page = html(client.get("/cases/new/", {"q": rsj_item.name}))
    assert rsj_item.name in page
    form = html(client.get("/cases/new/", {"item": rsj_item.code}))
    assert "依据统一审批标准逐项核对" in form and "北京城市副中心（通州区）" in form
    first_material = rsj_item.versions.get(version=rsj_item.version).snapshot["materials"][0]["name"]
    response = client.post(f"/cases/new/?item={rsj_item.code}", {
        "competent_region": "110112", "applicant_kind": "person", "applicant_name": "张三",
        "applicant_id_number": VALID_ID, "applicant_phone": PHONE, "delivery": "window",
        "materials_checked": [first_material]})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    assert case.materials_checked == [first_material]
    assert case.receiving_centre is not None and case.receiving_centre.name == "三河市政务服务中心"
    detail = html(client.get(response["Location"]))
    assert "110105********002X" in detail and VALID_ID not in detail
    assert "预审转交" in detail  # the window's next step is offered
    assert f"/cases/{case.number}/documents/receipt/" in detail  # the receipt to print


def test_wrong_id_number_shows_the_reason_and_creates_nothing(client, people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    client.force_login(people["sanhe_window"])
    page = html(client.post(f"/cases/new/?item={rsj_item.code}", {
        "competent_region": "110112", "applicant_kind": "person", "applicant_name": "张三",
        "applicant_id_number": "110105194912310021", "applicant_phone": PHONE, "delivery": "window"}))
    assert "身份证号校验码不正确" in page
    assert Case.objects.count() == 0


def test_queue_sorted_by_time_left_with_marks(client, people, rsj_item, on_day):
    on_day(D(2026, 9, 1))
    old = do_transition(people["tz_rsj"], do_receive(people["sanhe_window"], application(rsj_item)), "accept")
    on_day(D(2026, 9, 28))
    new = do_transition(people["tz_rsj"], do_receive(people["sanhe_window"], application(rsj_item)), "accept")
    waiting = do_receive(people["sanhe_window"], application(rsj_item))
    on_day(D(2026, 10, 9))
    client.force_login(people["tz_rsj"])
    page = html(client.get("/cases/"))
    assert page.index(old.number) < page.index(new.number) < page.index(waiting.number)
    assert "超期 1" in page  # the case accepted on 09-01 is past its legal limit


def test_actions_through_the_page_and_a_stale_form(client, people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item))
    client.force_login(people["tz_rsj"])
    client.post(f"/cases/{case.number}/act/accept/", {"version": "1"})
    assert Case.objects.get().state == State.ACCEPTED
    response = client.post(f"/cases/{case.number}/act/refuse/", {"version": "1", "refuse-reason": "x",
                                                                 "refuse-basis": "y"}, follow=True)
    assert "不能“不予受理”" in response.content.decode()
    client.post(f"/cases/{case.number}/act/request_supplement/",
                {"version": "2", "request_supplement-other": "户口簿\n结婚证"})
    case.refresh_from_db()
    assert case.state == State.SUPPLEMENT and case.supplements.get().missing == ["户口簿", "结婚证"]


def test_citizen_applies_online_and_sees_only_own_cases(client, people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    client.force_login(people["citizen"])
    materials = rsj_item.versions.get(version=rsj_item.version).snapshot["materials"]
    response = client.post(f"/apply/{rsj_item.code}/", {
        "competent_region": "131000", "delivery": "electronic",
        **{f"file_{i}": SimpleUploadedFile(f"{i}.pdf", PDF) for i, m in enumerate(materials) if m["required"]}})
    case = Case.objects.get()
    assert response.status_code == 302 and case.mode == "全程网办"
    assert case.number in html(client.get("/cases/"))
    client.force_login(people["other_citizen"])
    assert client.get(f"/cases/{case.number}/").status_code == 404
    assert case.number not in html(client.get("/cases/"))


@pytest.mark.parametrize("url", ["/cases/", "/cases/new/"])
def test_login_required(client, demo, url):
    assert client.get(url).status_code == 302


def test_extension_requested_and_approved_through_the_pages(client, people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_transition(people["tz_rsj"], do_receive(people["sanhe_window"], application(rsj_item)), "accept")
    client.force_login(people["tz_rsj"])
    assert "申请延期" in html(client.get(f"/cases/{case.number}/"))
    client.post(f"/cases/{case.number}/extensions/", {"days": "5", "reason": "需赴外地核查"})
    extension = case.extensions.get()
    client.force_login(people["lf_admin"])  # the other region's administrator cannot approve
    assert client.get(f"/cases/{case.number}/").status_code == 200
    client.post(f"/cases/{case.number}/extensions/{extension.pk}/", {"decision": "approve"})
    case.refresh_from_db()
    assert case.extension_days == 0
    client.force_login(people["tz_admin"])
    page = html(client.get(f"/cases/{case.number}/"))
    assert "批准" in page
    client.post(f"/cases/{case.number}/extensions/{extension.pk}/", {"decision": "approve"})
    case.refresh_from_db()
    assert case.extension_days == 5


def test_window_chooses_joint_mode(client, people, demo, on_day):
    from tongban.catalog.models import Item

    item = Item.objects.filter(mode_joint=True).order_by("code").first()
    assert item is not None
    on_day(D(2026, 9, 28))
    client.force_login(people["tz_window"])
    assert "多地联办" in html(client.get("/cases/new/", {"item": item.code}))
    client.post(f"/cases/new/?item={item.code}", {
        "competent_region": "131000", "mode": "多地联办", "applicant_kind": "person", "applicant_name": "张三",
        "applicant_id_number": VALID_ID, "applicant_phone": PHONE, "delivery": "window"})
    assert Case.objects.get().mode == "多地联办"


def test_junk_numbers_in_forms_are_refused_not_a_500(client, people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    case = do_transition(people["tz_rsj"], do_receive(people["sanhe_window"], application(rsj_item)), "accept")
    client.force_login(people["tz_rsj"])
    for version in ("²", "9" * 5000):
        assert client.post(f"/cases/{case.number}/act/start_review/", {"version": version}).status_code == 302
    assert client.post(f"/cases/{case.number}/extensions/", {"days": "²", "reason": "x"}).status_code == 302
    extension = do_request_extension_for(people, case)
    client.force_login(people["tz_admin"])
    client.post(f"/cases/{case.number}/extensions/{extension.pk}/", {})
    extension.refresh_from_db()
    assert extension.status == "pending"  # no decision field: nothing decided


def do_request_extension_for(people, case):
    from tongban.cases.actions import do_request_extension

    case.refresh_from_db()
    return do_request_extension(people["tz_rsj"], case, days=2, reason="核查")


def test_staff_without_centre_or_department_see_nothing(client, people, rsj_item, on_day):
    from tongban.accounts.models import StaffProfile

    on_day(D(2026, 9, 28))
    do_receive(people["citizen"], online_application(rsj_item, competent_region="131000"))  # online: no centre
    profile = StaffProfile.objects.get(user=people["tz_window"])
    profile.centre = None
    profile.save()
    client.force_login(people["tz_window"])
    assert "张三" not in html(client.get("/cases/"))
    assert client.get("/api/cases/").json()["count"] == 0


def test_a_local_only_node_without_panels(client, people, rsj_item, on_day, settings):
    """The cases app alone: the LocalOnly port and no page panels (docs/cases.md)."""
    from tongban.core.errors import Invalid

    settings.TONGBAN_CASE_FEDERATION = "tongban.cases.ports.LocalOnly"
    settings.TONGBAN_CASE_PAGE_PANELS = []
    on_day(D(2026, 9, 28))
    case = do_receive(people["sanhe_window"], application(rsj_item))
    client.force_login(people["sanhe_window"])
    page = html(client.get(f"/cases/{case.number}/"))
    assert "预审转交" in page and f"/cases/{case.number}/documents/" not in page
    with pytest.raises(Invalid) as refused:  # no 审批交叉授权 on such a node
        do_receive(people["sanhe_window"], application(rsj_item, delegation="TZ:abc"))
    assert refused.value.code == "case.delegation_invalid"
