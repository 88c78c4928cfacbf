"""The API's error shape: 400 field errors, 401/403/404 `detail`, 409 `detail` + `reasons`."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..rules import RuleViolation
from ..services.uploads import UploadRefused


def exception_handler(exc, context):
    if isinstance(exc, RuleViolation):
        return Response(
            {"detail": exc.detail, "reasons": [r.as_dict() for r in exc.reasons]},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(
        exc, UploadRefused
    ):  # the field error plus its stable code; 503 when the scan cannot run
        return Response(exc.as_response_body(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    return drf_exception_handler(exc, context)
