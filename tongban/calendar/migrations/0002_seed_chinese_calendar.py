"""Seed 2004–2026 from the `chinese-calendar` package (1.11 covers exactly these years, all complete).

The years are fixed here, not read from whatever version is installed, so the migration does the
same thing on every machine; a later package version with 2027 needs a new migration (or an import
of the 2027 file). Every holiday-period day (放假) and every make-up working day (调休上班) is stored.
"""

from django.db import migrations
from django.utils import timezone

SEED_YEARS = range(2004, 2027)

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def seed(apps, schema_editor):
    from chinese_calendar import constants

    CalendarYear = apps.get_model("workcalendar", "CalendarYear")
    SpecialDay = apps.get_model("workcalendar", "SpecialDay")
    covered = {d.year for d in constants.holidays}
    missing = [y for y in SEED_YEARS if y not in covered]
    if missing:
        raise RuntimeError(
            f"chinese-calendar {getattr(constants, '__version__', '')} lacks {missing}: install chinese-calendar>=1.11"
        )
    now = timezone.now()
    years = {
        y: CalendarYear.objects.create(year=y, source="chinese-calendar", loaded_at=now, generation=1,
                                       note="由 chinese-calendar 1.11 初始载入")
        for y in SEED_YEARS
    }
    days = []
    for kind, table in (("holiday", constants.holidays), ("workday", constants.workdays)):
        for day, name in table.items():
            if day.year in years:
                days.append(SpecialDay(date=day, kind=kind, name=NAMES.get(name, name), year=years[day.year]))
    SpecialDay.objects.bulk_create(sorted(days, key=lambda d: d.date), batch_size=1000)


def unseed(apps, schema_editor):
    apps.get_model("workcalendar", "CalendarYear").objects.filter(source="chinese-calendar").delete()


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
