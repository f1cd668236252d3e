import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination


def _strict_page_size(paginator, request) -> int:
    """``page_size`` must be one whole number of at least 1 (larger than
    ``max_page_size`` is capped, as DRF does): DRF would quietly fall back to the
    default on ``?page_size=abc`` or ``0``; we answer 400."""
    raw = request.query_params.getlist(paginator.page_size_query_param)
    if not raw:
        return paginator.page_size
    if len(raw) > 1 or not re.fullmatch(r"[0-9]{1,9}", raw[0]) or int(raw[0]) < 1:
        raise ValidationError({paginator.page_size_query_param: ["Enter one whole number of at least 1."]})
    return min(int(raw[0]), paginator.max_page_size)


class StrictPageSizeMixin:
    def get_page_size(self, request):
        return _strict_page_size(self, request)


class DefaultPagination(StrictPageSizeMixin, PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class CreatedCursorPagination(StrictPageSizeMixin, CursorPagination):
    """Stable cursor pagination over append-only rows, newest first."""

    ordering = ("-created_at", "-id")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
