from django.urls import path

from tongban.portal import views

app_name = "portal"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/enterprise/", views.register_enterprise, name="register_enterprise"),
    path("login/", views.login_page, name="login"),
    path("my/", views.my, name="my"),
    path("my/cases/", views.my_cases, name="my_cases"),
    path("my/complaints/", views.my_complaints, name="my_complaints"),
    path("my/documents/", views.my_documents, name="my_documents"),
    path("my/messages/", views.my_messages, name="my_messages"),
    path("my/messages/<int:pk>/", views.open_message, name="open_message"),
]
