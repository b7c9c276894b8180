from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "tongban.dashboard"
    label = "dashboard"
    verbose_name = "联席会议看板"
