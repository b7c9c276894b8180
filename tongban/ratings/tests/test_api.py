"""The ratings API: rate, list rectifications, take steps — with the HTTP status codes a client relies on."""

import datetime

from tongban.ratings.models import Rating, Rectification
from tongban.ratings.tests.conftest import post

D = datetime.date


def test_rate_over_http(client, people, online_case, on_day):
    url = f"/api/ratings/cases/{online_case.number}"
    assert post(client, url, {"level": 5}).status_code == 401
    client.force_login(people["other_citizen"])
    hidden = post(client, url, {"level": 5})  # not their case: not even its existence
    assert (hidden.status_code, hidden.json()["code"]) == (404, "rating.case_not_found")
    client.force_login(people["tz_rsj"])
    refused = post(client, url, {"level": 5})
    assert (refused.status_code, refused.json()["code"]) == (403, "rating.not_allowed")
    assert "申请人" in refused.json()["detail"]  # the message is for the person
    client.force_login(people["citizen"])
    assert post(client, url, {"level": 9}).status_code == 422
    assert post(client, url, {"level": 3, "comment": "好" * 501}).status_code == 422
    created = post(client, url, {"level": 1, "comment": "电子证照打不开，电话 13812345678 没人接"})
    assert created.status_code == 201
    body = created.json()
    assert (body["level"], body["level_label"], body["source"]) == (1, "非常不满意", "applicant")
    assert "138****5678" in body["comment"] and "13812345678" not in body["comment"]
    assert body["rectification_id"] == Rectification.objects.get().pk
    again = post(client, url, {"level": 5})
    assert (again.status_code, again.json()["code"]) == (409, "rating.already_rated")
    assert Rating.objects.get().level == 1


def test_rectification_steps_over_http(client, people, rect, on_day):
    on_day(D(2026, 9, 30))
    base = f"/api/ratings/rectifications/{rect.pk}"
    client.force_login(people["tz_admin"])
    other = post(client, f"{base}/verify", {"expected_version": 1, "finding": "属实"})
    assert (other.status_code, other.json()["code"]) == (403, "rectification.not_allowed")
    client.force_login(people["lf_admin"])
    unknown = post(client, f"{base}/explode", {})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "rectification.unknown_step")
    empty = post(client, f"{base}/verify", {"expected_version": 1, "finding": ""})
    assert (empty.status_code, empty.json()["code"]) == (422, "rectification.finding_required")
    illegal = post(client, f"{base}/recheck", {"expected_version": 1, "note": "复核"})
    assert (illegal.status_code, illegal.json()["code"]) == (409, "rectification.bad_transition")
    assert "不能“复核办结”" in illegal.json()["detail"]
    done = post(client, f"{base}/verify", {"expected_version": 1, "finding": "属实"})
    assert done.status_code == 200
    body = done.json()
    assert (body["state"], body["version"], body["due_on"], body["overdue"]) == ("rectifying", 2, "2026-10-13", False)
    assert body["allowed_steps"] == ["rectify"] and body["region"] == "131000"
    stale = post(client, f"{base}/appeal", {"expected_version": 1, "reason": "不是本窗口"})
    assert (stale.status_code, stale.json()["code"]) == (409, "rectification.bad_transition")
    stale = post(client, f"{base}/rectify", {"expected_version": 1, "measures": "m", "feedback": "f"})
    assert (stale.status_code, stale.json()["code"]) == (409, "rectification.conflict")
    assert Rectification.objects.get(pk=rect.pk).version == 2


def test_appeal_decision_over_http(client, people, rect):
    base = f"/api/ratings/rectifications/{rect.pk}"
    client.force_login(people["lf_admin"])
    assert post(client, f"{base}/appeal", {"expected_version": 1, "reason": "审批环节问题"}).status_code == 200
    own = post(client, f"{base}/decide_appeal", {"expected_version": 2, "uphold": True})
    assert (own.status_code, own.json()["code"]) == (403, "rectification.appeal_by_other_region")
    client.force_login(people["tz_admin"])
    undecided = post(client, f"{base}/decide_appeal", {"expected_version": 2})
    assert (undecided.status_code, undecided.json()["code"]) == (422, "rectification.uphold_required")
    decided = post(client, f"{base}/decide_appeal", {"expected_version": 2, "uphold": True})
    assert decided.status_code == 200 and decided.json()["state"] == "dismissed" and decided.json()["excluded"]


def test_listing_shows_each_user_what_they_may_see(client, people, rect, on_day):
    on_day(D(2026, 10, 20))
    client.force_login(people["lf_admin"])
    page = client.get("/api/ratings/rectifications").json()
    assert page["count"] == 1 and page["items"][0]["case_number"] == rect.rating.case.number
    assert page["items"][0]["allowed_steps"] == ["verify", "appeal"]
    assert client.get("/api/ratings/rectifications?state=rectifying").json()["count"] == 0
    client.force_login(people["sanhe_window"])  # the rated window sees it, read-only
    assert client.get("/api/ratings/rectifications").json()["items"][0]["allowed_steps"] == []
    for user in ("tz_admin", "tz_window", "lf_rsj", "other_citizen"):
        client.force_login(people[user])
        assert client.get("/api/ratings/rectifications").json()["count"] == 0, user
        hidden = client.get(f"/api/ratings/rectifications/{rect.pk}")
        assert (hidden.status_code, hidden.json()["code"]) == (404, "rectification.not_found")
    client.force_login(people["tz_rsj"])  # the department that decided the case sees its bad rating
    assert client.get("/api/ratings/rectifications").json()["count"] == 1
    client.logout()
    assert client.get("/api/ratings/rectifications").status_code == 401


def test_overdue_filter(client, people, rect, on_day):
    client.force_login(people["lf_admin"])
    on_day(D(2026, 9, 30))
    post(client, f"/api/ratings/rectifications/{rect.pk}/verify", {"expected_version": 1, "finding": "属实"})
    on_day(D(2026, 10, 13))
    assert client.get("/api/ratings/rectifications?overdue=true").json()["count"] == 0
    on_day(D(2026, 10, 14))
    client.force_login(people["lf_admin"])  # the whole process moved 14 days on: the session of 09-30 expired
    items = client.get("/api/ratings/rectifications?overdue=true").json()["items"]
    assert [(i["id"], i["overdue"]) for i in items] == [(rect.pk, True)]
