from django.urls import path  # noqa: F401  (filled in by the dashboard pages)

app_name = "dashboard"

urlpatterns: list = []
