from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("me/profile/", views.profile, name="profile"),
    path("me/api-tokens/", views.api_token_new, name="api_token_new"),
    path("me/api-tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("me/time-zone/", views.time_zone_save, name="time_zone"),
    path("company/", views.company, name="company"),
    path("company/invite/", views.company_invite, name="company_invite"),
    path("accounts/invitation/<str:uidb64>/<str:token>/", views.invitation, name="invitation"),
]
