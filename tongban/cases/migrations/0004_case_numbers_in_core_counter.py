"""Case numbers are issued from core.Counter (series "case"): copy the per-year counters, drop CaseCounter."""

from django.db import migrations

SERIES = "case"


def to_core(apps, schema_editor):
    CaseCounter = apps.get_model("cases", "CaseCounter")
    Counter = apps.get_model("core", "Counter")
    for row in CaseCounter.objects.all():
        counter, _ = Counter.objects.get_or_create(series=SERIES, year=row.year)
        if counter.last < row.last:  # never issue a number twice
            counter.last = row.last
            counter.save(update_fields=["last"])


def to_cases(apps, schema_editor):
    CaseCounter = apps.get_model("cases", "CaseCounter")
    Counter = apps.get_model("core", "Counter")
    for row in Counter.objects.filter(series=SERIES):
        CaseCounter.objects.update_or_create(year=row.year, defaults={"last": row.last})


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0003_case_delegating_region_case_delegation"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_core, to_cases),
        migrations.DeleteModel(name="CaseCounter"),
    ]
