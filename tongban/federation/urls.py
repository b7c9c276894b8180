from django.urls import path

from tongban.federation import views

app_name = "federation"
urlpatterns = [
    path("federation/inbox/", views.inbox, name="inbox"),
    path("federation/reconcile/", views.reconcile_answer, name="reconcile"),
    path("federation/node/", views.node_info, name="node"),
    path("federation/", views.status_page, name="status"),
    path("federation/delegations/", views.delegations, name="delegations"),
    path("federation/delegations/<int:pk>/revoke/", views.revoke_delegation, name="revoke_delegation"),
]
