from django.contrib.auth.views import LoginView, LogoutView
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import audit_views, auth_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        login_not_required(LoginView.as_view(template_name="org/login.html", redirect_authenticated_user=True)),
        name="login",
    ),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChange.as_view(), name="password-change"),
    path("login/verify/", auth_views.otp_verify, name="otp-verify"),
    path("account/2fa/", auth_views.otp_setup, name="otp-setup"),
    path("account/2fa/recovery-codes/", auth_views.otp_recovery_codes, name="otp-recovery-codes"),
    path("accounts/lockouts/", auth_views.lockout_list, name="lockouts"),
    path("audit/", audit_views.event_list, name="audit-events"),
    path("audit/export.xlsx", audit_views.event_export, name="audit-export"),
    path("accounts/lockouts/<id:pk>/clear/", auth_views.lockout_clear, name="lockout-clear"),
    path("divisions/", views.my_division, name="my-division"),
    path("divisions/import/", views.villages_import, name="villages-import"),
    path("divisions/import/template.xlsx", views.villages_template, name="villages-template"),
    path("divisions/<str:code>/", views.division_detail, name="division"),
    path("divisions/<str:code>/edit/", views.division_edit, name="division-edit"),
    path("divisions/<str:code>/villages/new/", views.village_add, name="village-add"),
    path("divisions/<str:code>/villages.xlsx", views.villages_export, name="villages-export"),
    path("departments/", views.department_list, name="departments"),
    path("departments/new/", views.department_edit, name="department-add"),
    path("departments/<id:pk>/edit/", views.department_edit, name="department-edit"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/new/", views.account_edit, name="account-add"),
    path("accounts/<id:pk>/edit/", views.account_edit, name="account-edit"),
]
