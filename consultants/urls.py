from django.urls import path

from consultants import views

app_name = "consultants"
urlpatterns = [
    path("consultants/", views.directory, name="directory"),
    path("consultants/<slug:slug>/", views.profile, name="profile"),
    path("me/calendar/", views.calendar, name="calendar"),
    path("me/consultant/profile/", views.profile_edit, name="profile_edit"),
    path("me/consultant/settings/", views.settings_view, name="settings"),
    path("me/consultant/settings/feed/", views.feed_rotate, name="feed_rotate"),
    path("me/rules/", views.rules, name="rules"),
    path("me/rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("me/rules/<int:pk>/delete/", views.rule_remove, name="rule_delete"),
    path("me/blackouts/<int:pk>/delete/", views.blackout_remove, name="blackout_delete"),
    path("me/overrides/", views.override_add, name="override_add"),
    path("me/overrides/<int:year>/<int:month>/<int:day>/delete/", views.override_remove, name="override_delete"),
    path("me/holidays/<int:year>/<int:month>/<int:day>/", views.holiday_toggle, name="holiday_toggle"),
    path("me/month/<int:year>/<int:month>/", views.month, name="month"),
    path("me/month/<int:year>/<int:month>/generate/", views.month_generate, name="month_generate"),
    path("me/month/<int:year>/<int:month>/publish/", views.month_publish, name="month_publish"),
    path("me/month/<int:year>/<int:month>/add/", views.month_add_slot, name="slot_add"),
    path("me/slots/<int:pk>/remove/", views.slot_remove_view, name="slot_remove"),
    path("me/slots/<int:pk>/block/", views.slot_block_view, name="slot_block"),
    path("me/slots/<int:pk>/unblock/", views.slot_unblock_view, name="slot_unblock"),
]
