from django.urls import path

from tongban.tracking import views

app_name = "tracking"

urlpatterns = [
    path("progress/", views.progress, name="progress"),
    path("hotline/progress/", views.hotline_progress, name="hotline"),
]
