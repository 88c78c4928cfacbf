import uuid
from http import HTTPStatus
from urllib.parse import unquote

import structlog
from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired
from django.http import HttpResponseBadRequest, JsonResponse

from .origin import _origin


class AuditOriginMiddleware:
    """Tags every write made while serving a request with its id, path and surface."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # One id per request: the one django-structlog bound for the log lines, so an audit
        # event and the request's logs can be joined; our own only if that middleware is off.
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if not request_id:
            request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
            structlog.contextvars.bind_contextvars(request_id=request_id)
        request.request_id = request_id
        kind = "api" if request.path.startswith("/api/") else "web"
        token = _origin.set(
            {
                "kind": kind,
                "request_id": request.request_id,
                "method": request.method,
                "path": request.path[:300],
                "ip": request.META.get("REMOTE_ADDR", ""),
            }
        )
        try:
            response = self.get_response(request)
        finally:
            _origin.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class LoginRequiredMiddleware(_DjangoLoginRequired):
    """Django's login-required default, except the REST API, which answers 401 itself (tokens)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/v1/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class RejectNulBytesMiddleware:
    """NUL characters are never valid input, and PostgreSQL refuses them in text: answer 400 at the door
    instead of a 500 from whichever lookup or filter (slug fields, query filters) first meets one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            detail = "NUL characters are not allowed in requests."
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": detail}, status=400)
            return HttpResponseBadRequest(detail)
        return self.get_response(request)

    def _has_nul(self, request) -> bool:
        if "\x00" in unquote(request.META.get("QUERY_STRING", "")) or "\x00" in request.path_info:
            return True
        if request.content_type == "application/json":
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and int(request.META.get("CONTENT_LENGTH") or 0) > limit:
                return False  # reading it here would refuse a body the view streams itself
            return b"\x00" in request.body or b"\\u0000" in request.body.lower()
        if request.method == "POST" and not request.path_info.startswith("/api/"):
            # Form fields only (CSRF parses them anyway); uploaded files may hold NUL bytes. The API
            # parses its own form-encoded and multipart bodies: its parsers refuse NUL in fields
            # (catalogue/api/parsers.py), so its stream is left untouched here.
            return any("\x00" in value for values in request.POST.lists() for value in values[1])
        return False


def _api(request) -> bool:
    return request.path_info.startswith("/api/")


class ApiBodyLimitMiddleware:
    """API bodies over the limit answer 413 JSON naming it, before anything reads them.

    JSON bodies may be API_MAX_BODY_BYTES; multipart bodies carry a file as well, so they may be
    MAX_UPLOAD_BYTES more (the upload checks then hold the file to its own limit).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _api(request):
            from .api.parsers import too_large_detail

            try:
                size = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return JsonResponse(
                    {"detail": "The Content-Length header is not a number."}, status=400
                )
            limit = settings.API_MAX_BODY_BYTES
            if request.content_type == "multipart/form-data":
                limit += settings.MAX_UPLOAD_BYTES
                if size > limit:
                    return JsonResponse(
                        {
                            "detail": (
                                f"The request body is {size:,} bytes; the limit for uploads is {limit:,} bytes "
                                "(MAX_UPLOAD_BYTES + API_MAX_BODY_BYTES)."
                            )
                        },
                        status=413,
                    )
            elif size > limit:
                return JsonResponse({"detail": too_large_detail(size)}, status=413)
        return self.get_response(request)


# Response headers an error keeps when its body is replaced by JSON.
_KEPT_HEADERS = ("Retry-After", "WWW-Authenticate", "Allow", "Location", "X-Request-ID")


class ApiJsonErrorsMiddleware:
    """Every API error is JSON: Django's HTML answers (a DEBUG 404 page, a 400 for a suspicious or
    oversized request, a 500) are replaced by `{"detail": ...}` with the same status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not _api(request) or response.status_code < 400 or response.streaming:
            return response
        if response.get("Content-Type", "").split(";")[0].strip().endswith("json"):
            return response
        status = response.status_code
        if status == 404:
            detail = "Not found."
        elif status >= 500:
            detail = "Server error."
        else:
            try:
                phrase = HTTPStatus(status).phrase
            except ValueError:
                phrase = "Error"
            detail = phrase[0] + phrase[1:].lower() + "."
        replaced = JsonResponse({"detail": detail}, status=status)
        for header in _KEPT_HEADERS:
            if header in response:
                replaced[header] = response[header]
        return replaced
