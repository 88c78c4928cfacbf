"""List endpoints refuse query parameters they do not know (PRODUCT.md: unknown filter
parameters answer 400), so nobody mistakes an unfiltered list for a filtered one."""

from urllib.parse import unquote

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

# Pagination, ordering and format are understood by every list.
COMMON_QUERY_PARAMS = frozenset({"cursor", "page_size", "ordering", "format"})


class KnownQueryParams:
    """Mixin for list views: a GET list with an unknown query parameter answers 400 naming it.

    Known: COMMON_QUERY_PARAMS, the filters of `filterset_class` (or `query_filterset`), and the
    view's own `query_params`. A viewset checks its `list` action only; an APIView every GET. A
    list nested under an artifact calls `check_query_params` itself once the artifact is found,
    so one the user may not see answers 404 first (Rule 8).
    """

    nested = False

    query_params: tuple[str, ...] = ()
    query_filterset: type | None = None

    def known_query_params(self) -> set[str]:
        filterset = self.query_filterset or getattr(self, "filterset_class", None)
        return (
            set(COMMON_QUERY_PARAMS)
            | set(self.query_params)
            | set(getattr(filterset, "base_filters", {}))
        )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not self.nested:
            self.check_query_params(request)

    def check_query_params(self, request) -> None:
        if request.method not in ("GET", "HEAD") or getattr(self, "action", "list") != "list":
            return
        unknown = sorted(set(request.query_params) - self.known_query_params())
        if unknown:
            known = ", ".join(sorted(self.known_query_params()))
            raise ValidationError(
                {
                    name: [f"Unknown query parameter. This list understands: {known}."]
                    for name in unknown
                }
            )


# Why an edit was made, for its audit event (Rule 7): the one convention of every PATCH/PUT (and
# version POST) is the `X-Reason` header, percent-encoded UTF-8 when not plain ASCII. A header,
# not a body field: bodies are the resource (an ODRL document for policies), and unknown body
# fields are refused.
REASON_HEADER = "X-Reason"
REASON_MAX_LENGTH = 1000
REASON_PARAMETER = OpenApiParameter(
    REASON_HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Why you make this change (recorded as the audit event's reason); percent-encode non-ASCII text.",
)


def request_reason(request, *, fallback: str = "") -> str:
    """The edit's reason from the X-Reason header, else `fallback` (an older place it was sent)."""
    raw = request.headers.get(REASON_HEADER)
    reason = unquote(raw).strip() if raw is not None else (fallback or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": [f"At most {REASON_MAX_LENGTH} characters."]})
    return reason
