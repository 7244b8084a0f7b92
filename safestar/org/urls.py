from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        login_not_required(auth_views.LoginView.as_view(template_name="org/login.html", redirect_authenticated_user=True)),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChange.as_view(), name="password-change"),
    path("divisions/", views.my_division, name="my-division"),
    path("divisions/import/", views.villages_import, name="villages-import"),
    path("divisions/import/template.xlsx", views.villages_template, name="villages-template"),
    path("divisions/<str:code>/", views.division_detail, name="division"),
    path("divisions/<str:code>/edit/", views.division_edit, name="division-edit"),
    path("divisions/<str:code>/villages/new/", views.village_add, name="village-add"),
    path("divisions/<str:code>/villages.xlsx", views.villages_export, name="villages-export"),
    path("departments/", views.department_list, name="departments"),
    path("departments/new/", views.department_edit, name="department-add"),
    path("departments/<int:pk>/edit/", views.department_edit, name="department-edit"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/new/", views.account_edit, name="account-add"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account-edit"),
]
