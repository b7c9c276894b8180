"""Catalogue REST API: lists with filters and pagination, detail, search, offline OpenAPI docs."""

import pytest

from tongban.catalog.models import Department
from tongban.catalog.tests.helpers import item, load


@pytest.fixture
def catalogue(regions):
    load(
        item("A1", "失业保险金申领"),
        item("A2", "企业设立登记", market=True, item_type="行政许可", item_class="政务服务事项",
             modes=("异地代收代办", "多地联办")),
        *[item(f"B{i:02d}", f"就业登记（第{i}类）") for i in range(60)],
    )


def test_items_are_paginated_and_filtered(client, catalogue):
    page1 = client.get("/api/catalog/items").json()
    assert page1["count"] == 62 and len(page1["items"]) == 50
    page2 = client.get("/api/catalog/items", {"page": 2}).json()
    assert len(page2["items"]) == 12
    assert not {i["code"] for i in page1["items"]} & {i["code"] for i in page2["items"]}
    licences = client.get("/api/catalog/items", {"item_class": "政务服务事项"}).json()
    assert [i["code"] for i in licences["items"]] == ["A2"]
    joint = client.get("/api/catalog/items", {"mode": "多地联办"}).json()
    assert [i["code"] for i in joint["items"]] == ["A2"]
    dept = Department.objects.get(name="廊坊市市场监督管理局")
    assert client.get("/api/catalog/items", {"department": dept.pk}).json()["count"] == 1


@pytest.mark.parametrize("params", [
    {"mode": "乱填"}, {"item_class": "bogus"}, {"item_type": "行政审批"}, {"department": "99999999999999999999"},
    {"department": "0"}, {"region": "11 0112"}, {"page": "0"}, {"page": "-1"}, {"page_size": "0"},
])
def test_bad_filters_are_422_not_an_empty_list(client, catalogue, params):
    response = client.get("/api/catalog/items", params)
    assert response.status_code == 422, response.content


def test_nul_in_a_parameter_is_a_clear_400(client, catalogue):
    for url in ("/api/catalog/items?region=%00", "/api/catalog/items/a%00b", "/items/?region=%00", "/items/a%00b/"):
        response = client.get(url)
        assert response.status_code == 400
        assert "非法字符" in response.content.decode()


def test_item_detail_has_departments_and_materials(client, catalogue):
    data = client.get("/api/catalog/items/A2").json()
    assert data["name"] == "企业设立登记"
    assert data["departments"] == [
        {"region": "110112", "department": "北京市通州区市场监督管理局"},
        {"region": "131000", "department": "廊坊市市场监督管理局"},
    ]
    assert data["materials"][0]["name"] == "申请人居民身份证"
    assert data["modes"] == ["异地代收代办", "多地联办"]
    assert client.get("/api/catalog/items/NOPE").status_code == 404


def test_search_endpoint(client, catalogue):
    data = client.get("/api/catalog/search", {"q": "失业金"}).json()
    assert data["results"][0]["code"] == "A1"
    typo = client.get("/api/catalog/search", {"q": "营业执造"}).json()
    assert typo["results"][0]["code"] == "A2" and typo["suggestion"] == "营业执照"
    assert typo["explanations"] is None
    explained = client.get("/api/catalog/search", {"q": "失业金", "explain": "true", "limit": 1}).json()
    [first] = explained["explanations"]
    assert first["code"] == "A1" and first["score"] > 0
    assert {r["via"].split("：")[0] for r in first["reasons"]} >= {"查询词"}
    assert client.get("/api/catalog/search").status_code == 422
    assert client.get("/api/catalog/search", {"q": "社保", "limit": 1000}).status_code == 422
    assert client.get("/api/catalog/search", {"q": "x" * 101}).status_code == 422


def test_regions_and_departments(client, catalogue):
    assert [r["code"] for r in client.get("/api/catalog/regions").json()] == ["110112", "131000"]
    depts = client.get("/api/catalog/departments", {"region": "131000"}).json()
    assert depts["count"] == 2


def test_openapi_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/catalog/items" in schema["paths"]
    docs = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()
