from django.urls import path

from tongban.cases import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.receive, name="receive"),
    path("cases/<str:number>/", views.case_detail, name="detail"),
    path("cases/<str:number>/act/<str:action>/", views.act, name="act"),
    path("cases/<str:number>/joint/<int:task_id>/", views.complete_joint_task, name="joint_task"),
    path("cases/<str:number>/files/", views.scan, name="scan"),
    path("cases/<str:number>/files/<int:file_id>/", views.case_file, name="file"),
    path("cases/<str:number>/supplement/", views.supplement, name="supplement"),
    path("cases/<str:number>/extensions/", views.request_extension, name="request_extension"),
    path("cases/<str:number>/extensions/<int:extension_id>/", views.decide_extension, name="decide_extension"),
    path("apply/<str:code>/", views.apply, name="apply"),
]
