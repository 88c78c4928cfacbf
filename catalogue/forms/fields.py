"""Small form fields shared by the catalogue forms."""

from django import forms


class CommaSeparatedField(forms.CharField):
    """Tags typed as "a, b, c": a list of stripped, de-duplicated strings."""

    def __init__(self, *, max_items: int = 20, max_length_each: int = 64, **kwargs):
        self.max_items = max_items
        self.max_length_each = max_length_each
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Separate with commas.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value) -> list[str]:  # type: ignore[override]  # a list, not a str
        if isinstance(value, list | tuple):
            items = value
        else:
            items = (value or "").split(",")
        seen: list[str] = []
        for item in items:
            item = " ".join(str(item).split()).lower()
            if item and item not in seen:
                seen.append(item)
        return seen

    def validate(self, value) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(value) > self.max_items:
            raise forms.ValidationError(f"At most {self.max_items} entries.", code="too_many")
        long = [v for v in value if len(v) > self.max_length_each]
        if long:
            raise forms.ValidationError(
                f"Each entry must be at most {self.max_length_each} characters: {long[0][:20]}…",
                code="too_long",
            )

    def has_changed(self, initial, data) -> bool:
        return self.to_python(initial) != self.to_python(data)


def bootstrap(form, *, validate_url: str | None = None) -> None:
    """Bootstrap classes, error wiring and (optionally) htmx inline validation on every widget.

    Each input posts the whole form to `validate_url` on change, so the server knows which
    field was just left (HX-Trigger-Name) and answers with out-of-band error fragments.
    """
    for name, field in form.fields.items():
        widget = field.widget
        html_name = form.add_prefix(name)
        attrs = widget.attrs
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            attrs.setdefault("class", "form-select")
        elif not isinstance(widget, forms.HiddenInput):
            attrs.setdefault("class", "form-control")
        attrs["aria-describedby"] = f"err-{html_name}"
        if validate_url and not isinstance(widget, forms.HiddenInput | forms.FileInput):
            attrs.update(
                {
                    "hx-post": validate_url,
                    "hx-trigger": "change",
                    "hx-swap": "none",
                    "hx-sync": "closest form:replace",
                }
            )
