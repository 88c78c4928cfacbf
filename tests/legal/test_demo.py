"""seed_demo's legal data: every consent and review state, a withdrawal with impact; idempotent."""

from django.core.management import call_command

from catalogue.models import ConsentRecord, IPAssignment, Notification, Review, WithdrawalImpact
from catalogue.receipts import consent_receipt, validate_receipt


def test_seed_demo_legal_states_and_idempotence(db):
    call_command("seed_demo", password="demo-pass-123")
    counts = (
        ConsentRecord.objects.count(),
        IPAssignment.objects.count(),
        Review.objects.count(),
        WithdrawalImpact.objects.count(),
        Notification.objects.count(),
    )
    assert set(ConsentRecord.objects.values_list("status", flat=True)) == {
        "given",
        "withdrawn",
        "revoked",
        "expired",
        "invalidated",
    }
    assert set(Review.objects.values_list("status", flat=True)) == {
        "open",
        "approved",
        "rejected",
        "changes_requested",
    }
    withdrawn = ConsentRecord.objects.get(status="withdrawn")
    impacted = set(
        WithdrawalImpact.objects.filter(consent=withdrawn).values_list("artifact__slug", flat=True)
    )
    assert {
        "small-business-cashflow-panel",
        "cashflow-gap-forecaster",
        "sole-trader-invoice-advance",
    } <= impacted
    assert WithdrawalImpact.objects.filter(remediation="retrain").exists()
    assert WithdrawalImpact.objects.filter(consent=withdrawn, live_reuses__gt=0).exists()
    # Cleared co-created work passed the legal gates and was published by the rights seeder.
    from catalogue.models import Artifact

    assert Artifact.objects.get(slug="first-time-buyer-journey").status == "published"
    assert (
        Artifact.objects.get(slug="teen-card-concept").status != "published"
    )  # its consent expired
    assert Notification.objects.filter(kind="consent.withdrawn").exists()
    for consent in ConsentRecord.objects.select_related("contributor"):
        validate_receipt(consent_receipt(consent))
    call_command("seed_demo", password="demo-pass-123")
    assert counts == (
        ConsentRecord.objects.count(),
        IPAssignment.objects.count(),
        Review.objects.count(),
        WithdrawalImpact.objects.count(),
        Notification.objects.count(),
    )
