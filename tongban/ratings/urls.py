from django.urls import path

from tongban.ratings import views

app_name = "ratings"

urlpatterns = [
    path("cases/<str:number>/rate/", views.rate, name="rate"),
    path("rate/<str:token>/", views.rate_by_link, name="rate_link"),
    path("rectifications/", views.queue, name="queue"),
    path("rectifications/<int:pk>/", views.detail, name="detail"),
    path("rectifications/<int:pk>/<str:step>/", views.step, name="step"),
]
