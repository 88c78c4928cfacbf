"""The API's parsers. JSON: bounded size, depth and string length, checked before any view sees the data.
Form-encoded and multipart: no NUL character in a field (PostgreSQL refuses them in text: a 500).

DRF's own parser reads any amount and lets a deeply nested body raise RecursionError (a 500) in
the decoder or in the first recursive step after it (serializers, the ODRL loader).
"""

from __future__ import annotations

import codecs
import json
from typing import Any

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.settings import api_settings
from rest_framework.utils.json import strict_constant

from ..limits import MAX_JSON_DEPTH, too_long


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def body_limit() -> int:
    return settings.API_MAX_BODY_BYTES


def too_large_detail(size: int | None) -> str:
    limit = body_limit()
    said = f"is {size:,} bytes" if size is not None else "is larger than the limit"
    return f"The request body {said}; the limit is {limit:,} bytes (API_MAX_BODY_BYTES)."


def check_json_shape(data: Any) -> None:
    """Raise ParseError past MAX_JSON_DEPTH, ValidationError naming each over-long string's field."""
    errors: dict[str, list[str]] = {}
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            if (refusal := too_long(item)) and len(errors) < 20:
                errors.setdefault(path or "non_field_errors", [refusal])
            continue
        if not isinstance(item, (dict, list)):
            continue
        if depth >= MAX_JSON_DEPTH:
            raise ParseError(
                f"JSON parse error - the body is nested deeper than {MAX_JSON_DEPTH} levels."
            )
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        for key, value in pairs:
            child = (
                f"{path}[{key}]"
                if isinstance(key, int)
                else (f"{path}.{key}" if path else str(key))
            )
            stack.append((value, child, depth + 1))
    if errors:
        raise ValidationError(errors)


class LimitedJSONParser(JSONParser):
    """JSONParser with a body size limit, a nesting limit and a per-string length limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        limit = body_limit()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(too_large_detail(None))
        try:
            text = codecs.decode(raw, encoding)
            constant = strict_constant if api_settings.STRICT_JSON else None
            data = json.loads(text, parse_constant=constant)
        except RecursionError:
            raise ParseError(
                f"JSON parse error - the body is nested deeper than {MAX_JSON_DEPTH} levels."
            ) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        check_json_shape(data)
        return data


NUL_DETAIL = "NUL characters are not allowed in requests."


def refuse_nul(fields) -> None:
    """ParseError (400) when a form field's name or value holds a NUL; uploaded files may hold them."""
    for name, values in fields.lists():
        if "\x00" in name or any(isinstance(v, str) and "\x00" in v for v in values):
            raise ParseError(NUL_DETAIL)


class NulFreeFormParser(FormParser):
    """FormParser refusing NUL characters in field names and values."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_nul(data)
        return data


class NulFreeMultiPartParser(MultiPartParser):
    """MultiPartParser refusing NUL characters in field names and values (not in the files)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        refuse_nul(parsed.data)
        for name in parsed.files:
            if "\x00" in name:
                raise ParseError(NUL_DETAIL)
        return parsed
