"""Survey, interview and ACLED imports."""

from django.urls import path

from workshops.views import sources

app_name = "sources"

urlpatterns = [
    path("<slug:slug>/sources/", sources.index, name="index"),
    path("<slug:slug>/import/survey/", sources.survey_upload, name="survey_upload"),
    path(
        "<slug:slug>/import/survey/<int:upload_id>/",
        sources.survey_mapping,
        name="survey_mapping",
    ),
    path(
        "<slug:slug>/import/survey/<int:upload_id>/discard/",
        sources.survey_discard,
        name="survey_discard",
    ),
    path("<slug:slug>/import/acled/", sources.acled_upload, name="acled_upload"),
    path("<slug:slug>/context/", sources.context, name="context"),
    path("<slug:slug>/sources/regions/", sources.aliases, name="aliases"),
    path(
        "<slug:slug>/sources/regions/<int:alias_id>/delete/",
        sources.alias_delete,
        name="alias_delete",
    ),
    path("<slug:slug>/interviews/", sources.interviews, name="interviews"),
    path("<slug:slug>/interviews/new/", sources.interview_edit, name="interview_new"),
    path("<slug:slug>/interviews/<int:interview_id>/", sources.interview_detail, name="interview"),
    path(
        "<slug:slug>/interviews/<int:interview_id>/edit/",
        sources.interview_edit,
        name="interview_edit",
    ),
]
