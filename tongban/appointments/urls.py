from django.urls import path

from tongban.appointments import views

app_name = "appointments"

urlpatterns = [
    path("appointments/", views.mine, name="mine"),
    path("appointments/centre/", views.centre_day, name="centre"),
    path("appointments/new/<str:code>/", views.book, name="book"),
    path("appointments/<str:number>/cancel/", views.cancel, name="cancel"),
]
