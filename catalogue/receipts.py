"""Consent receipts in the Kantara Consent Receipt v1.1 format (ISO/IEC TS 27560 fields).

Every receipt validates against the published schema kept in `catalogue/standards/` (a copy
of the Kantara draft-04 JSON Schema). The principal is identified by the external reference to
the consent system of record, or the pseudonym: never by name or email (data minimisation).
"""

import copy
import json
import uuid
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from .models import ConsentRecord

SCHEMA_PATH = (
    Path(__file__).resolve().parent / "standards" / "kantara-consent-receipt-v1_1-schema.json"
)
RECEIPT_VERSION = "KI-CR-v1.1.0"
_NAMESPACE = uuid.UUID("6f1f3b1e-8e4e-4c55-9a43-2d3c6cbd0a11")

DEFAULT_CONTROLLER = {
    "piiController": "The Bank",
    "onBehalf": False,
    "contact": "Data Protection Officer",
    "address": {
        "streetAddress": "1 Bank Street",
        "addressLocality": "London",
        "postalCode": "EC2A 1AA",
        "addressCountry": "GB",
    },
    "email": "dpo@bank.example",
    "phone": "+44 20 7946 0000",
    "piiControllerUrl": "https://bank.example",
}


@lru_cache(maxsize=1)
def receipt_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def consent_receipt(consent: ConsentRecord) -> dict:
    """The Kantara v1.1 receipt of one consent (contributor loaded by the caller)."""
    # A copy: callers may change the receipt without touching the shared default.
    controller = copy.deepcopy(getattr(settings, "CONSENT_RECEIPT_CONTROLLER", DEFAULT_CONTROLLER))
    termination = (
        f"Expires {consent.expires_at.isoformat()}; withdrawable at any time"
        if consent.expires_at
        else "Until withdrawn"
    )
    purposes = [
        {
            "purpose": purpose,
            "consentType": "EXPLICIT",
            "purposeCategory": [purpose],
            "piiCategory": ["co-created content", "contribution metadata"],
            "primaryPurpose": index == 0,
            "termination": termination,
            "thirdPartyDisclosure": False,
        }
        for index, purpose in enumerate(consent.purposes)
    ]
    contributor = consent.contributor
    return {
        "version": RECEIPT_VERSION,
        "jurisdiction": consent.jurisdiction,
        "consentTimestamp": int(consent.obtained_at.timestamp()),
        "collectionMethod": consent.method,
        "consentReceiptID": str(uuid.uuid5(_NAMESPACE, f"consent:{consent.pk}")),
        "language": "en",
        "piiPrincipalId": consent.external_ref or contributor.external_ref or contributor.pseudonym,
        "piiControllers": [controller],
        "policyUrl": getattr(
            settings, "CONSENT_POLICY_URL", "https://bank.example/privacy/co-creation"
        ),
        "services": [
            {"service": "Creative IP catalogue: co-created artifacts", "purposes": purposes}
        ],
        "sensitive": False,
        "spiCat": [],
        # Extensions beyond v1.1 (the schema allows them): the DPV status and notice version.
        "consentStatus": consent.status,
        "noticeVersion": consent.notice_version,
    }


def validate_receipt(receipt: dict) -> None:
    """Raise jsonschema.ValidationError unless the receipt satisfies the Kantara schema."""
    import jsonschema

    jsonschema.Draft4Validator(receipt_schema()).validate(receipt)
