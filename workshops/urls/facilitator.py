"""Staff pages: dashboard, workshop set-up, sessions, capture, board, moderation."""

from django.urls import path

from workshops.views import facilitator

app_name = "workshops"

urlpatterns = [
    path("", facilitator.dashboard, name="dashboard"),
    path("<slug:slug>/", facilitator.workshop_detail, name="workshop"),
]
