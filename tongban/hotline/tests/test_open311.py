"""Open311 GeoReport v2: what an existing 311 client sends and reads, in JSON and XML; bad requests."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tongban.hotline import actions
from tongban.hotline.models import Channel, Complaint

from .conftest import register

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def create(client, hl, fmt="json", **params):
    data = {"jurisdiction_id": "110112", "service_code": str(hl["noise"].pk), "address_string": "幸福里小区3号楼",
            "description": "幸福里小区东侧工地夜间施工噪音扰民", "phone": "13812345678", "last_name": "王",
            "first_name": "伟"} | params
    headers = {k: data.pop(k) for k in list(data) if k.startswith("HTTP_")}
    return client.post(f"{BASE}/requests.{fmt}", {k: v for k, v in data.items() if v is not None}, **headers)


def test_service_list_and_definition(client, hl):
    body = client.get(f"{BASE}/services.json", {"jurisdiction_id": "110112"}).json()
    assert {s["service_name"] for s in body} == {"环境保护", "城乡建设"}
    assert all(s["metadata"] is True and s["type"] == "realtime" for s in body)
    root = ET.fromstring(client.get(f"{BASE}/services.xml", {"jurisdiction_id": "110112"}).content)
    assert root.tag == "services"
    assert {e.findtext("service_name") for e in root.iter("service")} == {"环境保护", "城乡建设"}
    definition = client.get(f"{BASE}/services/{hl['noise'].pk}.json", {"jurisdiction_id": "110112"}).json()
    attribute = definition["attributes"][0]
    assert attribute["code"] == "STREET" and {v["name"] for v in attribute["values"]} == {"北苑街道", "中仓街道"}
    xml = ET.fromstring(client.get(f"{BASE}/services/{hl['noise'].pk}.xml", {"jurisdiction_id": "110112"}).content)
    assert xml.tag == "service_definition" and xml.findtext("service_code") == str(hl["noise"].pk)
    assert xml.findtext("attributes/attribute/code") == "STREET"
    assert {v.findtext("name") for v in xml.iter("value")} == {"北苑街道", "中仓街道"}


def test_create_and_follow_a_request_json(client, hl):
    street = hl["units"]["beiyuan"]
    response = create(client, hl, **{"attribute[STREET]": str(street.pk)})
    assert response.status_code == 201, response.content
    number = response.json()[0]["service_request_id"]
    c = Complaint.objects.get(number=number)
    assert (c.channel, c.category, c.street, c.caller_name, c.address) == (
        Channel.OPEN311, hl["noise"], street, "王伟", "幸福里小区3号楼")
    assert c.dispatch_due is not None and c.state == "registered"

    status = client.get(f"{BASE}/requests/{number}.json", {"jurisdiction_id": "110112"}).json()[0]
    assert (status["status"], status["service_name"], status["agency_responsible"]) == ("open", "环境保护", "")
    assert "13812345678" not in str(status) and "王伟" not in str(status)  # reads never show the caller

    p = hl["people"]
    c = actions.do_dispatch(p["tz_op"], c, hl["noise"])
    c = actions.do_contact(p["hbj"], c)
    actions.do_reply(p["hbj"], c, "已责令施工单位夜间停工。")
    listed = client.get(f"{BASE}/requests.json", {"jurisdiction_id": "110112", "service_request_id": number}).json()
    assert (listed[0]["status"], listed[0]["status_notes"], listed[0]["agency_responsible"]) == (
        "closed", "已责令施工单位夜间停工。", "通州区生态环境局")
    window = {"jurisdiction_id": "110112", "start_date": "2026-09-01T00:00:00+08:00"}
    assert client.get(f"{BASE}/requests.json", window | {"status": "open"}).json() == []
    closed = client.get(f"{BASE}/requests.json", window | {"status": "closed"}).json()
    assert [r["service_request_id"] for r in closed] == [number]
    both = client.get(f"{BASE}/requests.json", window | {"status": "open,closed"}).json()
    assert [r["service_request_id"] for r in both] == [number]


def test_create_in_xml(client, hl):
    response = create(client, hl, fmt="xml", address_string=None, lat="39.909", long="116.656")
    assert response.status_code == 201
    root = ET.fromstring(response.content)
    number = root.findtext("request/service_request_id")
    assert number is not None
    c = Complaint.objects.get(number=number)
    assert str(c.latitude) == "39.909000"
    status = ET.fromstring(client.get(f"{BASE}/requests/{number}.xml", {"jurisdiction_id": "110112"}).content)
    assert status.tag == "service_requests" and status.findtext("request/status") == "open"


@pytest.mark.parametrize("params,status,words", [
    ({"service_code": None}, 400, "service_code"),
    ({"service_code": "9999"}, 404, "service_code"),
    ({"address_string": None}, 400, "位置"),
    ({"address_string": None, "lat": "39.9"}, 400, "同时"),
    ({"address_string": None, "lat": "abc", "long": "116"}, 400, "数字"),
    ({"address_string": None, "lat": "95", "long": "116"}, 400, "范围"),
    ({"description": "吵"}, 400, "过短"),
    ({"description": "吵" * 4001}, 400, "过长"),
    ({"phone": "12345"}, 400, "电话"),
    ({"attribute[STREET]": "99999"}, 400, "STREET"),
    ({"jurisdiction_id": "999999"}, 404, "jurisdiction_id"),
])
def test_bad_requests_are_refused_and_change_nothing(client, hl, params, status, words):
    for fmt in ("json", "xml"):
        response = create(client, hl, fmt=fmt, **params)
        assert response.status_code == status
        if fmt == "json":
            error = response.json()[0]
            assert error["code"] == status and words in error["description"]
        else:
            error = ET.fromstring(response.content).find("error")
            assert error is not None
            assert error.findtext("code") == str(status) and words in error.findtext("description", "")
    assert not Complaint.objects.exists()


def test_retry_with_idempotency_key_creates_one(client, hl):
    first = create(client, hl, HTTP_IDEMPOTENCY_KEY="retry-1")
    again = create(client, hl, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert Complaint.objects.count() == 1


def test_reads_show_only_open311_requests(client, hl):
    call = register(hl)  # a phone call: its text and place are not for the public API
    assert client.get(f"{BASE}/requests/{call.number}.json", {"jurisdiction_id": "110112"}).status_code == 404
    listed = client.get(f"{BASE}/requests.json", {"jurisdiction_id": "110112", "service_request_id": call.number})
    assert listed.json() == []


def test_odd_ids_and_dates_are_clear_errors(client, hl):
    assert client.get(f"{BASE}/services/².json", {"jurisdiction_id": "110112"}).status_code == 404
    response = client.get(f"{BASE}/requests.json", {"jurisdiction_id": "110112", "end_date": "2026-02-30T00:00:00"})
    assert response.status_code == 400
    assert create(client, hl, **{"attribute[STREET]": "²"}).status_code == 400
    assert create(client, hl, phone="+86 138 1234 5678").status_code == 201


def test_jurisdiction_required_when_node_serves_two(client, hl):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 400 and "jurisdiction_id" in response.json()[0]["description"]


def test_api_key_when_configured(client, hl, settings):
    settings.TONGBAN_OPEN311_API_KEYS = ["k-123"]
    assert create(client, hl).status_code == 403
    assert create(client, hl, api_key="wrong").status_code == 403
    assert create(client, hl, api_key="k-123").status_code == 201
    assert Complaint.objects.count() == 1


def test_unknown_request_and_format(client, hl):
    assert client.get(f"{BASE}/requests/TBRX2026999999.json", {"jurisdiction_id": "110112"}).status_code == 404
    assert client.get(f"{BASE}/services.csv", {"jurisdiction_id": "110112"}).status_code == 404
    response = client.get(f"{BASE}/requests.json", {"jurisdiction_id": "110112", "start_date": "yesterday"})
    assert response.status_code == 400 and "ISO 8601" in response.json()[0]["description"]
