"""django-axes lockout answers: 429 with Retry-After, JSON for the API and the site's page for browsers."""

from __future__ import annotations

import math

from axes.helpers import get_cool_off
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

LOCKED_DETAIL = (
    "Too many failed log-in attempts: this account is locked for this address; try again later."
)


def retry_after_seconds(request) -> int:
    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds())) if cool_off else 3600


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: what a locked-out (username, IP) pair is told, on every surface."""
    seconds = retry_after_seconds(request)
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": LOCKED_DETAIL, "retry_after": seconds}, status=429)
    else:
        response = render(
            request, "registration/locked_out.html", {"retry_after": seconds}, status=429
        )
    response["Retry-After"] = str(seconds)
    return response
