import secrets

from django.conf import settings
from django.db import models

from .choices import ContributorKind
from .history import tracked


def new_pseudonym() -> str:
    """A stable, meaningless handle shown instead of personal data to non-legal users."""
    return f"contributor-{secrets.token_hex(5)}"


# Personal data and the external reference (erasable on request) stay out of row history: the
# business audit event of a change names the fields that changed, never their values, and
# erasure then leaves no copy behind (services/privacy.py).
@tracked(exclude=("legal_name", "email", "external_ref"))
class Contributor(models.Model):
    """A person or organisation that made or contributed to artifacts.

    `legal_name` and `email` are personal data: only legal and admins see them, every view is
    audited, and erasure blanks them while the pseudonym stays.
    """

    kind = models.CharField(max_length=16, choices=ContributorKind.choices)
    pseudonym = models.CharField(max_length=40, unique=True, default=new_pseudonym, editable=False)
    organisation = models.CharField(max_length=200, blank=True)
    external_ref = models.CharField(
        max_length=200, blank=True, help_text="Reference in the consent / HR system of record."
    )
    legal_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributor",
    )
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["kind", "id"], name="contributor_kind_id")]

    def __str__(self) -> str:
        return self.pseudonym
