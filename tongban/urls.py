from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tongban.accounts.forms import StaffAuthenticationForm
from tongban.api import api

admin.site.site_header = "通办 · 事项清单维护"
admin.site.site_title = "通办管理"
admin.site.index_title = "管理"

urlpatterns = [
    path("", include("tongban.catalog.urls")),
    path("", include("tongban.documents.urls")),
    path("", include("tongban.ratings.urls")),
    path("", include("tongban.dashboard.urls")),
    path("", include("tongban.cases.urls")),
    path("", include("tongban.verification.urls")),
    path("", include("tongban.federation.urls")),
    path("", include("tongban.tracking.urls")),
    path("", include("tongban.hotline.urls")),
    path("", include("tongban.notifications.urls")),  # /dev/sms/ (DEBUG only)
    path("", include("tongban.appointments.urls")),
    path("", include("tongban.portal.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=StaffAuthenticationForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
