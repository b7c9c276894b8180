"""The case API: Idempotency-Key, masking, visibility, actions with HTTP status codes."""

import datetime
import json

import pytest

from tongban.cases.models import Case
from tongban.cases.tests.conftest import PHONE, VALID_ID

D = datetime.date


def body(item, **overrides):
    data = {"item_code": item.code, "competent_region": "110112", "applicant_name": "李四",
            "applicant_id_number": VALID_ID, "applicant_phone": PHONE}
    data.update(overrides)
    return data


def post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


@pytest.fixture
def window(client, people, on_day):
    on_day(D(2026, 9, 28))
    client.force_login(people["sanhe_window"])
    return client


def test_create_is_idempotent_with_the_same_key_and_body(window, rsj_item):
    first = post(window, "/api/cases/", body(rsj_item), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    again = post(window, "/api/cases/", body(rsj_item), HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    other = post(window, "/api/cases/", body(rsj_item, applicant_name="王五"), HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422 and other.json()["code"] == "case.idempotency_key_reused"
    assert Case.objects.count() == 1
    assert post(window, "/api/cases/", body(rsj_item)).status_code == 201  # no key: a new case
    assert Case.objects.count() == 2


def test_personal_numbers_are_masked_and_bad_ones_refused(window, rsj_item):
    data = post(window, "/api/cases/", body(rsj_item)).json()
    assert data["applicant_id_number"] == "110105********002X" and data["applicant_phone"] == "138****5678"
    bad = post(window, "/api/cases/", body(rsj_item, applicant_id_number="110105194912310021"))
    assert bad.status_code == 422 and bad.json()["code"] == "case.invalid_application"
    assert "校验码不正确" in bad.json()["detail"]  # the applicant is told what is wrong with the number
    assert Case.objects.count() == 1


def test_actions_over_http_with_conflicts_and_permissions(client, people, rsj_item, on_day):
    on_day(D(2026, 9, 28))
    client.force_login(people["sanhe_window"])
    number = post(client, "/api/cases/", body(rsj_item)).json()["number"]
    client.force_login(people["lf_rsj"])
    hidden = client.get(f"/api/cases/{number}")  # another department: not visible
    assert (hidden.status_code, hidden.json()["code"]) == (404, "case.not_found")
    client.force_login(people["tz_rsj"])
    accepted = post(client, f"/api/cases/{number}/actions/accept", {"expected_version": 1})
    assert accepted.status_code == 200
    assert accepted.json()["clock"]["legal_due"] is not None
    stale = post(client, f"/api/cases/{number}/actions/refuse", {"expected_version": 1, "reason": "x", "basis": "y"})
    # the case moved on (accepted): the state no longer allows refusing
    assert (stale.status_code, stale.json()["code"]) == (409, "case.bad_transition")
    illegal = post(client, f"/api/cases/{number}/actions/archive", {})
    assert (illegal.status_code, illegal.json()["code"]) == (409, "case.bad_transition")
    assert "不能“归档”" in illegal.json()["detail"]  # names the refused step
    refused = post(client, f"/api/cases/{number}/actions/suspend", {"reason": " "})
    assert (refused.status_code, refused.json()["code"]) == (422, "case.suspend_reason_required")
    client.force_login(people["lf_rsj"])
    extension = post(client, "/api/cases/extensions/999/dance", {})
    assert (extension.status_code, extension.json()["code"]) == (404, "case.unknown_decision")
    client.force_login(people["tz_rsj"])
    listing = client.get("/api/cases/").json()
    assert [c["number"] for c in listing["items"]] == [number]


def test_a_long_idempotency_key_is_refused_with_a_code(window, rsj_item):
    long = post(window, "/api/cases/", body(rsj_item), HTTP_IDEMPOTENCY_KEY="k" * 101)
    assert (long.status_code, long.json()["code"]) == (422, "case.idempotency_key_too_long")
    assert Case.objects.count() == 0


def test_anonymous_requests_are_refused(client, demo):
    assert client.get("/api/cases/").status_code == 401
