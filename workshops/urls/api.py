"""REST API under /api/v1/ with its OpenAPI schema."""

app_name = "api"

urlpatterns: list = []
