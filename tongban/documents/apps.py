from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "tongban.documents"
    label = "documents"
    verbose_name = "办件文书"
