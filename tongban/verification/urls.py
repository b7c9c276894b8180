from django.urls import path

from tongban.verification import views

app_name = "verification"
urlpatterns = [
    path("verify/", views.check, name="check"),
    path("verify/<str:doc_id>/", views.page, name="page"),
    path("verify/<str:doc_id>/status.json", views.status, name="status"),
    path("verify/<str:doc_id>/revoke/", views.revoke, name="revoke"),
    path("cases/<str:number>/result.json", views.download, name="download"),
]
