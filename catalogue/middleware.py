import uuid

import structlog
from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired

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
