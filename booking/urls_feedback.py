from django.urls import path

from booking import views_feedback

feedback_urlpatterns = [
    path("feedback/<str:token>/", views_feedback.feedback, name="feedback"),
]
