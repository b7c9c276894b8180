from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "tongban.tracking"
    verbose_name = "办件进度查询"
