from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "tongban.verification"
    verbose_name = "审批互信"

    def ready(self) -> None:
        from tongban.federation import handlers
        from tongban.verification.actions import apply_revocation_notice

        # 审批互信: another node revoked a document it issued; its peers learn it through the inbox
        handlers.register("result.revoke", apply_revocation_notice)
