"""List endpoints refuse query parameters they do not know (PRODUCT.md: unknown filter
parameters answer 400), so nobody mistakes an unfiltered list for a filtered one."""

from rest_framework.exceptions import ValidationError

# Pagination, ordering and format are understood by every list.
COMMON_QUERY_PARAMS = frozenset({"cursor", "page_size", "ordering", "format"})


class KnownQueryParams:
    """Mixin for list views: a GET list with an unknown query parameter answers 400 naming it.

    Known: COMMON_QUERY_PARAMS, the filters of `filterset_class` (or `query_filterset`), and the
    view's own `query_params`. A viewset checks its `list` action only; an APIView every GET.
    """

    query_params: tuple[str, ...] = ()
    query_filterset = None

    def known_query_params(self) -> set[str]:
        filterset = self.query_filterset or getattr(self, "filterset_class", None)
        return set(COMMON_QUERY_PARAMS) | set(self.query_params) | set(getattr(filterset, "base_filters", {}))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.method not in ("GET", "HEAD") or getattr(self, "action", "list") != "list":
            return
        unknown = sorted(set(request.query_params) - self.known_query_params())
        if unknown:
            known = ", ".join(sorted(self.known_query_params()))
            raise ValidationError(
                {name: [f"Unknown query parameter. This list understands: {known}."] for name in unknown}
            )
