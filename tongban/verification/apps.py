from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "tongban.verification"
    verbose_name = "审批互信"
