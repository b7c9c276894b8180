from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "tongban.verification"
    verbose_name = "审批互信"

    def ready(self) -> None:
        from tongban.federation import handlers
        from tongban.verification.actions import apply_revocation_notice
        from tongban.verification.tell import ISSUED, apply_result_issued

        # 审批互信: another node revoked a document it issued; its peers learn it through the inbox
        handlers.register("result.revoke", apply_revocation_notice)
        # the signed result of a case decided there, for the node where its applicant applied
        handlers.register(ISSUED, apply_result_issued, case_of=lambda body: body.get("case"))
