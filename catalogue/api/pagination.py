from django.core.exceptions import ValidationError
from rest_framework import pagination
from rest_framework.exceptions import NotFound


class CursorPagination(pagination.CursorPagination):
    """Keyset pagination (`results`, `next`, `previous`): never counts, never offsets."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-id")

    def paginate_queryset(self, queryset, request, view=None):
        # A cursor is opaque but client-held: a position that is not a value of the ordering field
        # (a crafted or corrupted cursor) fails when the filter is built. It is a bad cursor, not a 500.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, ValidationError):
            raise NotFound(self.invalid_cursor_message) from None
