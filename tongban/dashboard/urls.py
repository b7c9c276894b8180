from django.urls import path

from tongban.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("dashboard/", views.index, name="index"),
    path("dashboard/export.csv", views.export_csv, name="export"),
]
