from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "tongban.hotline"
    verbose_name = "接诉即办"
