"""How web views show a service's refusal: on the form, or as a flash message.

Services raise `ValidationError` (field-keyed), `RuleViolation` (reasons with stable codes) or
`PermissionDenied`; these helpers are the one place that turns them into what a page shows.
"""

from django.core.exceptions import ValidationError

from ..rules import RuleViolation


def add_validation_errors(
    form, exc: ValidationError, *, renamed: dict[str, str] | None = None
) -> None:
    """Each error on its form field (after `renamed`, service name -> form name), else non-field."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, messages in errors.items():
        target = (renamed or {}).get(field, field)
        form.add_error(target if target in form.fields else None, messages)


def add_reasons(form, exc: RuleViolation) -> None:
    """Each rule-violation reason as a non-field error, with its stable code."""
    for reason in exc.reasons:
        form.add_error(None, f"{reason.message} ({reason.code})")


def error_text(exc: ValidationError | RuleViolation) -> str:
    """All messages of a refusal in one line, for a flash message."""
    if isinstance(exc, RuleViolation):
        return " ".join(reason.message for reason in exc.reasons)
    return " ".join(exc.messages)
