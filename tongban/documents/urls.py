from django.urls import path

from tongban.documents import views

app_name = "documents"

urlpatterns = [
    path("cases/<str:number>/documents/<slug:kind>/", views.page, name="page"),
    path("cases/<str:number>/documents/<slug:kind>.pdf", views.pdf, name="pdf"),
]
