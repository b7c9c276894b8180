from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tongban.notifications"
    verbose_name = "通知（短信与站内信）"
