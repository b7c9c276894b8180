from django.urls import path

from tongban.notifications import views

app_name = "notifications"
urlpatterns = [
    path("dev/sms/", views.dev_sms, name="dev_sms"),
]
