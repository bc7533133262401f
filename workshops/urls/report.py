"""Roll-up, report draft and exports."""

app_name = "report"

urlpatterns: list = []
