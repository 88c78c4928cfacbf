"""The OpenAPI schema's project-wide defaults: every operation documents the API's error answers.

Errors come from one exception handler (api/errors.py), so their shapes are the same everywhere:
400 field errors (`{field: [messages]}`, `non_field_errors` or `detail`), 401/403/404/413/415/429
`{"detail"}` and 409 `{"detail", "reasons": [{"code", "message"}]}`. An operation's own
`extend_schema(responses=...)` wins for a status it declares itself.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ERROR = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})
CONFLICT = OpenApiResponse(
    response=inline_serializer(
        "RuleViolationResponse",
        {
            "detail": serializers.CharField(),
            "reasons": inline_serializer(
                "RuleViolationReason",
                {"code": serializers.CharField(), "message": serializers.CharField()},
                many=True,
            ),
        },
    ),
    description="The rules refuse it; every failing reason is listed.",
)

# Status -> (description, body). 400 is any object: field names are the keys.
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {},
    "description": "{field: [messages]} or {detail}",
}
ERRORS_EVERY_OPERATION = {
    "400": "Malformed request: field errors, or an unknown filter parameter",
    "401": "No or bad credentials",
    "403": "The role may not do this",
    "404": "No such object, or one the user may not see (rule 8)",
    "429": "Too many requests (throttled; see Retry-After)",
}
ERRORS_WITH_BODY = {
    "409": "Refused by a rule or state conflict, with stable reason codes",
    "413": "Request body too large",
    "415": "Unsupported media type of the request body",
}


class CatalogueAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(ERRORS_EVERY_OPERATION)
        if self.method in {"POST", "PUT", "PATCH", "DELETE"}:
            errors |= ERRORS_WITH_BODY
        for code, description in errors.items():
            if code in responses:
                continue
            if code == "400":
                responses[code] = {
                    "description": description,
                    "content": {"application/json": {"schema": FIELD_ERRORS}},
                }
            else:
                body = (
                    CONFLICT if code == "409" else OpenApiResponse(ERROR, description=description)
                )
                responses[code] = self._get_response_for_code(body, code)
        return responses
