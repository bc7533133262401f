"""Roll-up, report draft and exports (mounted at /w/)."""

from django.urls import path

from workshops.views import bundles, jobs, report

app_name = "report"

draft = "<slug:slug>/report/<str:language>/"
section = draft + "sections/<slug:key>/"

urlpatterns = [
    path("<slug:slug>/rollup/", report.rollup, name="rollup"),
    path("<slug:slug>/contributions.<str:fmt>", report.export_contributions, name="contributions"),
    path("<slug:slug>/contributions/rows/", report.export_rows, name="rows"),
    path("<slug:slug>/bundle/", bundles.bundle, name="bundle"),
    path("<slug:slug>/bundle/export/", bundles.bundle_export, name="bundle_export"),
    path("<slug:slug>/bundle/import/", bundles.bundle_import, name="bundle_import"),
    path("<slug:slug>/report/", report.report_home, name="home"),
    path("<slug:slug>/report/new/", report.create_draft, name="create"),
    path(draft, report.draft, name="draft"),
    path(draft + "refresh/", report.refresh, name="refresh"),
    path(draft + "export/<str:fmt>/", report.export_draft, name="export"),
    path(draft + "export/<str:fmt>/background/", jobs.start_draft_export, name="export_job"),
    path("<slug:slug>/jobs/<uuid:public_id>/", jobs.job, name="job"),
    path("<slug:slug>/jobs/<uuid:public_id>/download/", jobs.job_download, name="job_download"),
    path(section, report.edit_section, name="section"),
    path(section + "history/", report.section_history, name="history"),
    path(section + "restore/<int:number>/", report.restore, name="restore"),
    path(section + "use-generated/", report.use_generated, name="use_generated"),
]
