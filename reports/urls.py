from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/conversions.csv", views.conversions_csv, name="conversions_csv"),
    path("reports/leads.csv", views.leads_csv, name="leads_csv"),
    path("me/feedback/", views.my_feedback, name="my_feedback"),
    path("wall/", views.wall, name="wall"),
    path("wall/screens/", views.wall_screens, name="wall_screens"),
    path("wall/screens/<int:pk>/revoke/", views.wall_screen_revoke_view, name="wall_screen_revoke"),
    path("wall/screen/<str:token>/", views.wall_screen, name="wall_screen"),
    path("wall/screen/<str:token>/data.json", views.wall_screen_data_view, name="wall_screen_data"),
    path("company/data/", views.data_protection, name="data_protection"),
    path("company/data/export.json", views.company_export, name="company_export"),
    path("company/data/delete/", views.company_delete, name="company_delete"),
]
