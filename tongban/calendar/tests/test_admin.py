"""The admin shows the calendar but does not let anyone edit days around the importer."""

from __future__ import annotations


def test_lists_load_and_days_are_read_only(admin_client):
    response = admin_client.get("/admin/workcalendar/calendaryear/")
    assert response.status_code == 200 and "2026" in response.text
    response = admin_client.get("/admin/workcalendar/specialday/?year__year__exact=2026&kind__exact=workday")
    assert response.status_code == 200 and "调休上班" in response.text
    assert admin_client.get("/admin/workcalendar/specialday/add/").status_code == 403
    assert admin_client.get("/admin/workcalendar/calendaryear/add/").status_code == 403
