"""Complaint numbers move to the shared numbering table (tongban.core.numbering, series "complaint").

The last number of every year is copied into core.Counter before ComplaintCounter is dropped, so the
next complaint of a year already numbered continues from where it stopped (never a number twice).
"""

from django.db import migrations


def copy_counters(apps, schema_editor):
    ComplaintCounter = apps.get_model("hotline", "ComplaintCounter")
    Counter = apps.get_model("core", "Counter")
    for old in ComplaintCounter.objects.all():
        counter, _ = Counter.objects.get_or_create(series="complaint", year=old.year)
        if old.last > counter.last:
            counter.last = old.last
            counter.save(update_fields=["last"])


def copy_back(apps, schema_editor):
    ComplaintCounter = apps.get_model("hotline", "ComplaintCounter")
    Counter = apps.get_model("core", "Counter")
    for counter in Counter.objects.filter(series="complaint"):
        ComplaintCounter.objects.update_or_create(year=counter.year, defaults={"last": counter.last})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("hotline", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_counters, copy_back),
        migrations.DeleteModel(name="ComplaintCounter"),
    ]
