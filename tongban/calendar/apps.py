from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "tongban.calendar"
    label = "workcalendar"  # "calendar" would read as Python's stdlib module in tracebacks and admin URLs
    verbose_name = "工作日历"
