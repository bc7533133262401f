"""Survey, interview and ACLED imports."""

app_name = "sources"

urlpatterns: list = []
