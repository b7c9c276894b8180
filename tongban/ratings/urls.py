from django.urls import path  # noqa: F401  (filled in by the ratings pages)

app_name = "ratings"

urlpatterns: list = []
