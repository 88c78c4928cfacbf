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

    def to_python(self, value) -> list[str]:
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
