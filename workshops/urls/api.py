"""REST API under /api/v1/ with its OpenAPI schema and Swagger UI (served from the sidecar)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from workshops.api import views

app_name = "api"

# Path values are matched loosely (str) so that a malformed id gets the API's JSON 404,
# not the site's HTML one; the views look them up safely.
W = "v1/workshops/<str:slug>/"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/workshops/", views.WorkshopList.as_view(), name="workshops"),
    path(W, views.WorkshopDetail.as_view(), name="workshop"),
    path("v1/organisations/", views.OrganisationList.as_view(), name="organisations"),
    path("v1/organisations/<str:pk>/", views.OrganisationDetail.as_view(), name="organisation"),
    path(W + "sessions/", views.SessionList.as_view(), name="sessions"),
    path(W + "sessions/<str:pk>/", views.SessionDetail.as_view(), name="session"),
    path(W + "participants/", views.ParticipantList.as_view(), name="participants"),
    path(
        W + "participants/<str:public_id>/",
        views.ParticipantDetail.as_view(),
        name="participant",
    ),
    path(W + "contributions/", views.ContributionList.as_view(), name="contributions"),
    path(W + "contributions/<str:pk>/", views.ContributionDetail.as_view(), name="contribution"),
    path(W + "themes/", views.ThemeList.as_view(), name="themes"),
    path(W + "votes/", views.VoteList.as_view(), name="votes"),
    path(W + "rollup/", views.RollupView.as_view(), name="rollup"),
    path(W + "report.<str:fmt>", views.ReportExport.as_view(), name="report_export"),
    re_path(r"^.*$", views.not_found),
]
