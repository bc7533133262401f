"""Network pages: /n/<slug>/ for its administrators, and accepting an invitation."""

from django.urls import path

from workshops.views import networks

app_name = "networks"

urlpatterns = [
    path("invitation/<str:token>/", networks.accept, name="accept"),
    path("<slug:slug>/", networks.network_detail, name="network"),
    path("<slug:slug>/organisations/", networks.organisation_add, name="organisation_add"),
    path("<slug:slug>/staff/", networks.grant, name="grant"),
    path("<slug:slug>/staff/<int:membership_id>/remove/", networks.revoke, name="revoke"),
    path("<slug:slug>/invitations/", networks.invite, name="invite"),
    path("<slug:slug>/reference/", networks.reference_document, name="reference"),
]
