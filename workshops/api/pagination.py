"""Page-number pagination that refuses a malformed ``page`` instead of guessing."""

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination


class StrictPageNumberPagination(PageNumberPagination):
    def paginate_queryset(self, queryset, request, view=None):
        if self.page_query_param in request.query_params:
            value = request.query_params[self.page_query_param]
            if not value.isascii() or not value.isdigit() or len(value) > 9:
                raise NotFound("Invalid page.")
        return super().paginate_queryset(queryset, request, view)
