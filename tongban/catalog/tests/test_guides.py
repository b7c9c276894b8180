"""The citizen's guide: the item page says where to go, when, whom to call, how often to come and what it
costs; 到现场次数 in catalogue files; 一件事 pages and the home page's life events."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from tongban.catalog.models import Item, ServiceCentre
from tongban.catalog.tests.helpers import LF_RSJ, TZ_RSJ
from tongban.catalog.tests.test_import import HEADER, ImportFailed, row, run_import, write


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_item_page_says_where_when_whom_to_call_how_often_and_what_it_costs(client, demo):
    ServiceCentre.objects.filter(name="三河市政务服务中心").update(phone="0316-3211234")
    item = Item.objects.filter(mode_online=False, via_window=True).exclude(fee="不收费").order_by("code").first() \
        or Item.objects.filter(mode_online=False, via_window=True).order_by("code").first()
    assert item is not None
    Item.objects.filter(pk=item.pk).update(visits=2)
    html = page(client, f"/items/{item.code}/")
    for centre in ServiceCentre.objects.all():  # every centre of both regions, with address and hours
        assert centre.name in html and centre.address in html and centre.hours in html
    assert "工作日 8:30–17:30" in html and "办公时间" in html
    assert 'href="tel:0316-3211234"' in html and "咨询电话" in html
    assert "在地图中查看" in html and "https://uri.amap.com/search?keyword=" in html
    assert "到现场次数" in html and "最多 <strong>2 次</strong>" in html
    assert "收费标准" in html and (item.fee or "不收费") in html
    assert f'href="/appointments/new/{item.code}/"' in html and "预约办理" in html
    assert "网上申请" not in html  # not a 全程网办 item
    # nothing loaded from outside: the map is only a link
    assert '<script src="http' not in html and '<link rel="stylesheet" href="http' not in html


def test_an_online_item_needs_no_visit_and_offers_the_online_application(client, demo):
    item = Item.objects.filter(mode_online=True, materials__e_licence=True).order_by("code").first()
    assert item is not None
    html = page(client, f"/items/{item.code}/")
    assert "<strong>0 次</strong>" in html
    assert f'href="/apply/{item.code}/"' in html and "网上申请" in html
    assert "可用电子证照" in html


def test_window_staff_get_the_receipt_button_not_booking(client, demo):
    from tongban.accounts.models import Role, StaffProfile
    from tongban.catalog.models import Region

    user = get_user_model().objects.create_user("tz_window", password="pw-for-tests-only")
    StaffProfile.objects.create(user=user, role=Role.WINDOW, region=Region.objects.get(code="110112"),
                                centre=ServiceCentre.objects.get(name="北京城市副中心政务服务中心"))
    client.force_login(user)
    item = Item.objects.filter(via_window=True).order_by("code").first()
    assert item is not None
    html = page(client, f"/items/{item.code}/")
    assert "收件</a>" in html and "/appointments/new/" not in html


def test_visits_column_imports_and_a_bad_value_is_a_row_error(regions, tmp_path):
    header = HEADER.rstrip("\n") + ",到现场次数\n"
    path = write(tmp_path, header + row("T1", "失业登记").rstrip("\n") + ",0\n"
                 + row("T2", "就业登记").rstrip("\n") + ",2次\n")
    run_import(path)
    assert Item.objects.get(code="T1").visits == 0 and Item.objects.get(code="T2").visits == 2
    bad = write(tmp_path, header + row("T3", "x").rstrip("\n") + ",很多\n" + row("T4", "y").rstrip("\n") + ",12\n",
                name="bad.csv")
    try:
        run_import(bad)
        raise AssertionError("a bad 到现场次数 must refuse the file")
    except ImportFailed as failed:
        assert "第 2 行［到现场次数］" in str(failed) and "第 3 行［到现场次数］" in str(failed)
    assert not Item.objects.filter(code__in=["T3", "T4"]).exists()


def test_a_file_without_the_visits_column_keeps_the_stored_value(regions, tmp_path):
    run_import(write(tmp_path, HEADER.rstrip("\n") + ",到现场次数\n" + row("T1", "失业登记").rstrip("\n") + ",0\n"))
    item = Item.objects.get(code="T1")
    assert item.visits == 0 and item.version == 1
    run_import(write(tmp_path, HEADER + row("T1", "失业登记") + row("T2", "就业登记"), name="old.csv"))
    item.refresh_from_db()
    assert item.visits == 0 and item.version == 1  # unchanged: no new version
    assert Item.objects.get(code="T2").visits == 1  # a new item: one visit
    assert {TZ_RSJ, LF_RSJ} == set(item.competences.values_list("department__name", flat=True))


def test_home_page_shows_the_life_events_as_buttons(client, demo):
    html = page(client, "/")
    for name in ("新生儿出生一件事", "入学一件事", "就业一件事", "结婚一件事", "开办餐饮店一件事", "退休一件事",
                 "身后一件事"):
        assert name in html
    assert 'class="themes"' in html and 'href="/themes/birth/"' in html and 'href="/themes/restaurant/"' in html


def test_a_theme_page_lists_its_items_under_both_regions(client, demo):
    html = page(client, "/themes/death/")
    assert "身后一件事" in html and "死亡人员户口注销" in html
    assert "北京城市副中心（通州区）" in html and "廊坊市" in html
    assert "北京市公安局通州分局" in html and "廊坊市公安局" in html  # each region's competent department
    item = Item.objects.get(name="死亡人员户口注销")
    assert f'href="/items/{item.code}/"' in html
    restaurant = page(client, "/themes/restaurant/")
    assert "食品经营许可证核发" in restaurant and "个体工商户设立登记" in restaurant
    assert client.get("/themes/no-such-event/").status_code == 404


def test_search_still_shows_a_named_event_above_the_items(client, demo):
    html = page(client, "/items/?q=想开个饭馆")
    assert "开办餐饮店一件事" in html and "食品经营许可证核发" in html
