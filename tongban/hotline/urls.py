from django.urls import path, re_path

from tongban.hotline import open311, views

app_name = "hotline"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    path("hotline/", views.intake, name="intake"),
    path("hotline/suggest/", views.suggest, name="suggest"),
    path("hotline/report/", views.report, name="report"),
    path("hotline/complaints/", views.complaint_list, name="list"),
    path("hotline/complaints/<str:number>/", views.complaint_detail, name="detail"),
    path("hotline/complaints/<str:number>/act/<str:action>/", views.act, name="act"),
    path("hotline/tasks/<int:task_id>/<str:action>/", views.task_act, name="task_act"),
    path("hotline/whistle/", views.whistle_board, name="whistle"),
    path("hotline/rates/", views.rates_page, name="rates"),
    path("hotline/rates.xlsx", views.rates_xlsx, name="rates_xlsx"),
    path("hotline/hot/", views.hot_board, name="hot"),
    # Open311 GeoReport v2 (docs/hotline.md)
    re_path(r"^open311/v2/services" + FMT, open311.services, name="open311_services"),
    re_path(r"^open311/v2/services/(?P<service_code>[^/.]+)" + FMT, open311.service_definition,
            name="open311_service"),
    re_path(r"^open311/v2/requests" + FMT, open311.requests_endpoint, name="open311_requests"),
    re_path(r"^open311/v2/requests/(?P<service_request_id>[^/.]+)" + FMT, open311.get_request,
            name="open311_request"),
]
