"""Catalogue pages in Chinese: home figures, browse filters, search, item detail, login, admin versioning."""

import pytest
from django.contrib.auth import get_user_model

from tongban.catalog.models import Item


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_home_shows_the_seed_figures_and_places(client, demo):
    html = text(client.get("/"))
    assert '<html lang="zh-Hans">' in html
    assert "<strong>523</strong><span>通办事项</span>" in html
    assert "<strong>453</strong><span>高频便民事项</span>" in html
    assert "<strong>70</strong><span>政务服务事项</span>" in html
    assert "三河市政务服务中心区域通办专窗" in html
    assert "通州政务自助终端（三河市政务服务中心）" in html  # a Tongzhou terminal in a Langfang hall
    assert "http://" not in html.replace("http://www.w3.org", "")  # nothing loaded from elsewhere


def test_browse_by_class_and_mode(client, demo):
    html = text(client.get("/items/", {"item_class": "政务服务事项"}))
    assert "共 70 个事项" in html
    html = text(client.get("/items/", {"mode": "多地联办"}))
    expected = Item.objects.filter(mode_joint=True).count()
    assert f"共 {expected} 个事项" in html and expected > 0


def test_search_page_and_htmx_partial(client, demo):
    html = text(client.get("/items/", {"q": "公积金"}))
    assert "住房公积金" in html
    partial = text(client.get("/items/", {"q": "公积金"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"))
    assert "<html" not in partial and "住房公积金" in partial


def test_item_detail_lists_materials_and_both_regions(client, demo):
    item = Item.objects.filter(materials__isnull=False).order_by("code").first()
    assert item is not None
    html = text(client.get(f"/items/{item.code}/"))
    assert item.name in html
    for material in item.materials.all():
        assert material.name in html
    for competence in item.competences.all():
        assert competence.department.name in html
    assert client.get("/items/NO-SUCH-ITEM/").status_code == 404


def test_login_form_is_labelled(client):
    html = text(client.get("/accounts/login/"))
    assert '<label for="id_username">用户名</label>' in html
    assert '<label for="id_password">密码</label>' in html


@pytest.mark.django_db
def test_admin_edit_records_a_new_version(client, demo):
    user = get_user_model().objects.create_superuser("chief", password="pw-for-tests-only")
    client.force_login(user)
    item = Item.objects.order_by("code").first()
    assert item is not None
    response = client.get(f"/admin/catalog/item/{item.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"name": item.name + "（修订）", "promised_limit_days": 1, "legal_limit_days": 20})
    for formset in response.context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({f"{fs.prefix}-TOTAL_FORMS": len(fs.forms), f"{fs.prefix}-INITIAL_FORMS": len(fs.initial_forms),
                     f"{fs.prefix}-MIN_NUM_FORMS": 0, f"{fs.prefix}-MAX_NUM_FORMS": 1000})
        for i, f in enumerate(fs.forms):
            for name, field in f.fields.items():
                value = f.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                if value is not None and not isinstance(value, bool):
                    data[f"{fs.prefix}-{i}-{name}"] = value
                elif value is True:
                    data[f"{fs.prefix}-{i}-{name}"] = "on"
    for key in [k for k, v in data.items() if v is False]:
        del data[key]
    response = client.post(f"/admin/catalog/item/{item.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    item.refresh_from_db()
    assert item.version == 2
    latest = item.versions.get(version=2)
    assert latest.source == "admin" and latest.changed_by == "chief"
    assert latest.snapshot["name"].endswith("（修订）")
    assert item.versions.get(version=1).snapshot["name"] == item.name.removesuffix("（修订）")


def test_junk_filters_are_ignored_not_a_500(client, demo):
    assert client.get("/items/", {"department": "²"}).status_code == 200
    assert client.get("/items/", {"department": "99999999999999999999999"}).status_code == 200
    assert client.get("/items/", {"page": "abc"}).status_code == 200


def test_fragment_and_page_vary_on_htmx_headers(client, demo):
    response = client.get("/items/", {"q": "社保"})
    assert "HX-Request" in response["Vary"]


def test_pager_links_keep_filters_and_encode_odd_parameters(client, demo):
    html = text(client.get("/items/?item_class=高频便民事项&a%26page%3D9%26x=1"))
    assert "page=2" in html
    assert "a%26page%3D9%26x=1" in html  # the odd key stays one (encoded) parameter


def test_broad_search_says_it_shows_the_most_relevant(client, demo, settings):
    settings.CATALOG_SEARCH_CANDIDATES = 30
    html = text(client.get("/items/", {"q": "登记"}))
    assert "找到 30 个以上事项，按相关度显示前 30 个" in html
