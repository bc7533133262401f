"""Follow-up of recommendations (staff at /w/, the shared page at /follow-up/) and the
programme view of a network (/n/)."""

from django.urls import path

from workshops.views import followup, programme

app_name = "followup"

w = "w/<slug:slug>/follow-up/"

urlpatterns = [
    path(w, followup.followup_list, name="list"),
    path(w + "share/", followup.share, name="share"),
    path(w + "share/revoke/", followup.revoke, name="revoke"),
    path(w + "<int:contribution_id>/", followup.recommendation_followup, name="recommendation"),
    path(w + "<int:contribution_id>/updates/", followup.add_update, name="add_update"),
    path("follow-up/<str:token>/", followup.shared, name="shared"),
    path("n/<slug:slug>/programme/", programme.programme, name="programme"),
    path("n/<slug:slug>/programme/export.<str:fmt>", programme.export, name="programme_export"),
]
