from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "tongban.federation"
    verbose_name = "节点互联"

    def ready(self) -> None:
        from tongban.federation import inbox  # models are ready: the inbox may import them

        inbox.register_own_kinds()
