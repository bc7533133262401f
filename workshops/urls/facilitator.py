"""Staff pages: dashboard, workshop set-up, sessions, capture, board, moderation."""

from django.urls import path

from workshops.views import access_log, facilitator

app_name = "workshops"

urlpatterns = [
    path("", facilitator.dashboard, name="dashboard"),
    path("new/", facilitator.workshop_create, name="workshop_create"),
    path("<slug:slug>/", facilitator.workshop_detail, name="workshop"),
    path("<slug:slug>/edit/", facilitator.workshop_edit, name="workshop_edit"),
    path("<slug:slug>/staff/", facilitator.staff, name="staff"),
    path("<slug:slug>/zones/", facilitator.zones, name="zones"),
    path("<slug:slug>/zones/suggested/", facilitator.zones_suggested, name="zones_suggested"),
    path(
        "<slug:slug>/staff/<int:membership_id>/remove/",
        facilitator.staff_remove,
        name="staff_remove",
    ),
    path("<slug:slug>/organisations/", facilitator.organisations, name="organisations"),
    path("<slug:slug>/organisations/add/", facilitator.organisation_add, name="organisation_add"),
    path(
        "<slug:slug>/organisations/paste/",
        facilitator.organisation_import,
        name="organisation_import",
    ),
    path(
        "<slug:slug>/organisations/<int:organisation_id>/edit/",
        facilitator.organisation_edit,
        name="organisation_edit",
    ),
    path(
        "<slug:slug>/organisations/<int:organisation_id>/remove/",
        facilitator.organisation_remove,
        name="organisation_remove",
    ),
    path("<slug:slug>/participants/", facilitator.participants, name="participants"),
    path(
        "<slug:slug>/participants/<int:participant_id>/edit/",
        facilitator.participant_edit,
        name="participant_edit",
    ),
    path(
        "<slug:slug>/participants/<int:participant_id>/remove/",
        facilitator.participant_remove,
        name="participant_remove",
    ),
    path("<slug:slug>/participants/add/", facilitator.participant_add, name="participant_add"),
    path(
        "<slug:slug>/participants/paste/",
        facilitator.participant_import,
        name="participant_import",
    ),
    path("<slug:slug>/access-log/", access_log.access_log, name="access_log"),
    path("<slug:slug>/join-code/", facilitator.join_code, name="join_code"),
    path("<slug:slug>/join-code/sheet/", facilitator.join_sheet, name="join_sheet"),
    path("<slug:slug>/sessions/new/", facilitator.session_create, name="session_create"),
    path(
        "<slug:slug>/sessions/<int:session_id>/edit/",
        facilitator.session_edit,
        name="session_edit",
    ),
    path(
        "<slug:slug>/sessions/<int:session_id>/move/",
        facilitator.session_move,
        name="session_move",
    ),
    path(
        "<slug:slug>/sessions/<int:session_id>/status/",
        facilitator.session_status,
        name="session_status",
    ),
    path(
        "<slug:slug>/sessions/<int:session_id>/capture/",
        facilitator.capture,
        name="capture",
    ),
    path(
        "<slug:slug>/sessions/<int:session_id>/board/",
        facilitator.session_board,
        name="session_board",
    ),
    path(
        "<slug:slug>/sessions/<int:session_id>/results/",
        facilitator.session_results,
        name="session_results",
    ),
    path(
        "<slug:slug>/sessions/<int:session_id>/projector/",
        facilitator.projector,
        name="projector",
    ),
    path(
        "<slug:slug>/sessions/<int:session_id>/grouped/",
        facilitator.session_grouped,
        name="session_grouped",
    ),
    path(
        "<slug:slug>/sessions/<int:session_id>/grouped/projector/",
        facilitator.session_grouped_projector,
        name="session_grouped_projector",
    ),
    path("<slug:slug>/board/", facilitator.workshop_board, name="board"),
    path("<slug:slug>/grouped/", facilitator.workshop_grouped, name="grouped"),
    path(
        "<slug:slug>/grouped/projector/",
        facilitator.workshop_grouped_projector,
        name="grouped_projector",
    ),
    path("<slug:slug>/grouped/move/", facilitator.grouped_move, name="grouped_move"),
    path("<slug:slug>/results/", facilitator.workshop_results, name="results"),
    path("<slug:slug>/moderate/", facilitator.moderate, name="moderate"),
    path(
        "<slug:slug>/contributions/<int:contribution_id>/status/",
        facilitator.contribution_status,
        name="contribution_status",
    ),
    path(
        "<slug:slug>/contributions/<int:contribution_id>/edit/",
        facilitator.contribution_edit,
        name="contribution_edit",
    ),
]
