"""Rule 6: an archived artifact refuses every change, through every entry point that exists."""

import datetime as dt

import pytest
from django.urls import reverse

from catalogue.models import Artifact, AuditEvent, Reuse, ReusePolicy, Version
from catalogue.odrl import build_policy
from catalogue.rules import RuleViolation
from catalogue.services.artifacts import artifact_update, version_create
from catalogue.services.lifecycle import artifact_publish, artifact_submit
from catalogue.services.policy import policy_set
from catalogue.services.retirement import artifact_archive
from catalogue.services.reuse import reuse_record
from tests.factories import ArtifactFactory, VersionFactory

pytestmark = pytest.mark.django_db


def policy(artifact, *, version=1):
    return build_policy(
        artifact_slug=artifact.slug,
        teams=None,
        actions=["use"],
        owner_team_slug=artifact.owner_team.slug,
        version=version,
    )


@pytest.fixture
def archived(retail, alice, admin_user):
    art = ArtifactFactory(
        owner_team=retail, published=True, slug="old-journey", title="Old journey"
    )
    VersionFactory(artifact=art, version="1.0.0")
    policy_set(acting_user=admin_user, artifact=art, odrl=policy(art))
    artifact_archive(acting_user=alice, artifact=art, rationale="Pilot failed.")
    art.refresh_from_db()
    return art


def snapshot(art):
    art.refresh_from_db()
    return (
        art.title,
        art.summary,
        art.status,
        art.current_policy_id,
        art.updated_at,
        Version.objects.filter(artifact=art).count(),
        ReusePolicy.objects.filter(artifact=art).count(),
        Reuse.objects.filter(artifact=art).count(),
    )


def test_services_refuse(archived, alice, cards, admin_user):
    before = snapshot(archived)
    attempts = [
        lambda: artifact_update(acting_user=alice, artifact=archived, title="New title"),
        lambda: version_create(acting_user=alice, artifact=archived, version="2.0.0"),
        lambda: policy_set(
            acting_user=admin_user, artifact=archived, odrl=policy(archived, version=2)
        ),
        lambda: artifact_submit(acting_user=alice, artifact=archived),
        lambda: artifact_publish(acting_user=alice, artifact=archived),
    ]
    for attempt in attempts:
        with pytest.raises(RuleViolation) as exc:
            attempt()
        assert "artifact.archived" in [r.code for r in exc.value.reasons]
    with pytest.raises(RuleViolation) as exc:
        reuse_record(
            acting_user=admin_user,
            artifact=archived,
            team=cards,
            initiative="X",
            purpose="research",
            channel="web",
            occurred_on=dt.date.today(),
        )
    assert "lifecycle.archived" in [r.code for r in exc.value.reasons]
    assert snapshot(archived) == before


def test_api_refuses(archived, api_client_for, alice, admin_user, cards):
    before = snapshot(archived)
    events = AuditEvent.objects.count()
    client = api_client_for(alice)
    base = f"/api/v1/artifacts/{archived.slug}"
    resp = client.patch(f"{base}/", {"title": "New title"}, format="json")
    assert resp.status_code == 409 and resp.json()["reasons"][0]["code"] == "artifact.archived"
    resp = client.post(f"{base}/versions/", {"version": "2.0.0", "changelog": "x"}, format="json")
    assert resp.status_code == 409
    resp = api_client_for(admin_user).put(
        f"{base}/policy/", policy(archived, version=2), format="json"
    )
    assert resp.status_code == 409
    assert client.post(f"{base}/submit/", {}, format="json").status_code == 409
    assert client.post(f"{base}/publish/", {}, format="json").status_code == 409
    assert client.post(f"{base}/deprecate/", {"rationale": "x"}, format="json").status_code == 409
    assert client.post(f"{base}/archive/", {"rationale": "x"}, format="json").status_code == 409
    resp = api_client_for(admin_user).post(
        "/api/v1/reuses/",
        {
            "artifact": archived.slug,
            "team": cards.slug,
            "initiative": "Spring campaign",
            "purpose": "marketing",
            "channel": "web",
            "occurred_on": dt.date.today().isoformat(),
        },
        format="json",
    )
    assert resp.status_code == 409
    assert "lifecycle.archived" in [r["code"] for r in resp.json()["reasons"]]
    assert snapshot(archived) == before
    assert AuditEvent.objects.count() == events


def test_web_refuses(archived, client, alice, admin_user, cards):
    before = snapshot(archived)
    client.force_login(alice)
    for name in ("artifact_edit", "version_create"):
        resp = client.get(reverse(f"catalogue:{name}", args=[archived.slug]))
        assert resp.status_code == 302 and resp.url == reverse(
            "catalogue:artifact_detail", args=[archived.slug]
        )
    resp = client.post(
        reverse("catalogue:artifact_edit", args=[archived.slug]), {"title": "New title"}
    )
    assert resp.status_code == 302
    resp = client.post(
        reverse("catalogue:version_create", args=[archived.slug]), {"version": "2.0.0"}
    )
    assert resp.status_code == 302
    resp = client.post(reverse("catalogue:policy_edit", args=[archived.slug]), {"reason": "x"})
    assert resp.status_code == 403
    page = client.get(reverse("catalogue:artifact_detail", args=[archived.slug])).content.decode()
    for name in ("artifact_edit", "version_create", "artifact_deprecate", "artifact_archive"):
        assert reverse(f"catalogue:{name}", args=[archived.slug]) not in page
    client.force_login(admin_user)
    resp = client.post(
        reverse("catalogue:reuse_create", args=[archived.slug]),
        {
            "team": cards.slug,
            "initiative": "Spring",
            "purpose": "marketing",
            "channel": "web",
            "mode": "as_is",
            "occurred_on": dt.date.today().isoformat(),
        },
    )
    assert resp.status_code == 409
    assert snapshot(archived) == before


def test_admin_refuses(archived, client, admin_user, retail):
    live = ArtifactFactory(owner_team=retail, published=True)
    client.force_login(admin_user)
    change = reverse("admin:catalogue_artifact_change", args=[archived.pk])
    resp = client.get(change)
    assert resp.status_code == 200 and 'name="_save"' not in resp.content.decode()  # view only
    resp = client.post(change, {"title": "New title"})
    assert resp.status_code == 403
    assert (
        client.post(
            reverse("admin:catalogue_artifact_delete", args=[archived.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Artifact.objects.get(pk=archived.pk).title == "Old journey"
    # a live artifact is still editable there, and the edit is audited
    assert (
        'name="_save"'
        in client.get(reverse("admin:catalogue_artifact_change", args=[live.pk])).content.decode()
    )
