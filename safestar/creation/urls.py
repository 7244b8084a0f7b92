from django.urls import path

from . import views

urlpatterns = [
    path("creation/applications/", views.application_list, name="applications"),
    path("creation/applications/new/", views.application_add, name="application-add"),
    path("creation/applications/export.xlsx", views.application_export, name="applications-export"),
    path("creation/applications/<id:pk>/", views.application_detail, name="application"),
    path("creation/applications/<id:pk>/decide/", views.application_decide, name="application-decide"),
    path("creation/applications/<id:pk>/tasks/new/", views.task_add, name="task-add"),
    path("creation/tasks/<id:pk>/", views.task_detail, name="task"),
    path("creation/tasks/<id:pk>/edit/", views.task_edit, name="task-edit"),
    path("creation/tasks/<id:pk>/transition/", views.task_transition, name="task-transition"),
    path("creation/inspections/", views.inspection_list, name="inspections"),
    path("creation/inspections/new/", views.inspection_add, name="inspection-add"),
    path("creation/inspections/<id:pk>/", views.inspection_detail, name="inspection"),
    path("creation/inspections/<id:pk>/hold/", views.inspection_hold, name="inspection-hold"),
    path("creation/inspections/<id:pk>/findings/new/", views.finding_add, name="finding-add"),
    path("creation/inspections/<id:pk>/notice.docx", views.inspection_notice, name="inspection-notice"),
    path("creation/findings/<id:pk>/", views.finding_detail, name="finding"),
    path("creation/rectifications/", views.plan_list, name="rectifications"),
    path("creation/rectifications/<id:pk>/", views.plan_detail, name="rectification"),
    path("creation/rectifications/<id:pk>/edit/", views.plan_edit, name="rectification-edit"),
    path("creation/rectifications/<id:pk>/progress/", views.plan_progress, name="rectification-progress"),
    path("creation/rectifications/<id:pk>/transition/", views.plan_transition, name="rectification-transition"),
    path("creation/rectifications/<id:pk>/notice.docx", views.plan_notice, name="rectification-notice"),
    path("creation/campaigns/", views.campaign_list, name="campaigns"),
    path("creation/campaigns/new/", views.campaign_add, name="campaign-add"),
    path("creation/campaigns/<id:pk>/", views.campaign_detail, name="campaign"),
    path("creation/campaigns/<id:pk>/transition/", views.campaign_transition, name="campaign-transition"),
    path("creation/todo/", views.my_todo, name="my-todo"),
    path("creation/weekly/<str:code>/", views.weekly, name="weekly"),
]
