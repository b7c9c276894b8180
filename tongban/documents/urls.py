from django.urls import path  # noqa: F401  (filled in by the documents pages)

app_name = "documents"

urlpatterns: list = []
