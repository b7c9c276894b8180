"""Entries cannot be changed or deleted: the database triggers and the ORM both refuse."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from tongban.audit.actions import verify
from tongban.audit.models import AppendOnlyError, AuditEntry
from tongban.audit.tests.helpers import trail


@pytest.fixture
def three(db):
    trail(3)


@pytest.mark.parametrize("sql", [
    "UPDATE audit_auditentry SET actor = 'mallory' WHERE seq = 2",
    "DELETE FROM audit_auditentry WHERE seq = 2",
    "DELETE FROM audit_auditentry",
])
def test_the_database_refuses_update_and_delete(three, sql):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEntry.objects.get(seq=2).actor == "wangfang"
    assert AuditEntry.objects.count() == 3 and verify().ok


def test_the_orm_refuses_to_save_or_delete_an_entry(three):
    entry = AuditEntry.objects.get(seq=2)
    entry.actor = "mallory"
    with pytest.raises(AppendOnlyError) as save:
        entry.save()
    assert save.value.code == "audit.update_refused"
    with pytest.raises(AppendOnlyError) as delete:
        entry.delete()
    assert delete.value.code == "audit.delete_refused"
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=2).update(actor="mallory")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_create([AuditEntry(seq=4)])
    assert AuditEntry.objects.get(seq=2).actor == "wangfang" and verify().ok


def test_the_admin_shows_entries_read_only(three, admin_client):
    entry = AuditEntry.objects.get(seq=2)
    assert admin_client.get("/admin/audit/auditentry/").status_code == 200
    page = admin_client.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert page.status_code == 200 and entry.hash in page.content.decode()
    assert admin_client.get("/admin/audit/auditentry/add/").status_code == 403
    assert admin_client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"actor": "mallory"}).status_code == 403
    assert AuditEntry.objects.count() == 3 and verify().ok
