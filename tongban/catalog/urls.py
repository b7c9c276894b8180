from django.urls import path

from tongban.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.item_list, name="item_list"),
    path("items/<str:code>/", views.item_detail, name="item_detail"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
]
