"""Tamper evidence: seal_pending + verify_chain / verify_audit, tampering done with triggers off."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from catalogue.models import AuditEvent, AuditSeal, Team
from catalogue.services.accounts import membership_set, team_create
from catalogue.services.audit import audit_event
from catalogue.services.audit_chain import GENESIS, link_hash, seal_pending, verify_chain
from catalogue.tasks import seal_audit_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(admin_user, alice):
    team = team_create(slug="ops", name="Operations", acting_user=admin_user)
    membership_set(team=team, user=alice, role="member", acting_user=admin_user)
    return team


def _as_superuser_without_triggers(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = origin")


def _verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return code, out.getvalue(), err.getvalue()


def test_seal_covers_business_events_and_every_history_table_and_is_idempotent(history):
    sealed = seal_pending()
    sources = set(AuditSeal.objects.values_list("source", flat=True))
    assert AuditEvent._meta.db_table in sources
    assert apps.get_model("catalogue", "TeamEvent")._meta.db_table in sources
    assert apps.get_model("catalogue", "MembershipEvent")._meta.db_table in sources
    assert sealed == AuditSeal.objects.count() > 0
    assert seal_pending() == 0
    assert seal_audit_chain() == 0


def test_links_chain_from_genesis(history):
    seal_pending()
    previous = GENESIS
    for seal in AuditSeal.objects.order_by("seq"):
        assert seal.chain_hash == link_hash(previous, seal.source, seal.row_id, seal.row_hash)
        previous = seal.chain_hash


def test_clean_chain_verifies(history):
    seal_pending()
    code, out, _ = _verify()
    assert code == 0
    assert out.startswith(f"OK: all {AuditSeal.objects.count()} audit records verify")


def test_rows_written_after_a_seal_are_sealed_by_the_next_run(history, admin_user):
    seal_pending()
    before = AuditSeal.objects.count()
    Team.objects.filter(pk=history.pk).update(name="Ops")  # no context: still history
    assert seal_pending() == 1
    assert AuditSeal.objects.count() == before + 1
    assert verify_chain().ok


def test_an_id_committed_late_below_sealed_ids_is_still_sealed(history, admin_user):
    """A slow transaction can commit a lower id after higher ones were sealed."""
    seal_pending()
    late = AuditEvent.objects.order_by("id").first()
    AuditSeal_table = AuditSeal._meta.db_table
    _as_superuser_without_triggers(
        f"DELETE FROM {AuditSeal_table} WHERE source = %s AND row_id = %s",
        [AuditEvent._meta.db_table, late.pk],
    )
    # Rebuild the chain without that link, as if the row had not been committed yet.
    seals = list(AuditSeal.objects.order_by("seq"))
    _as_superuser_without_triggers(f"DELETE FROM {AuditSeal_table}")
    previous = GENESIS
    for seal in seals:
        previous = link_hash(previous, seal.source, seal.row_id, seal.row_hash)
        seal.chain_hash = previous
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        AuditSeal.objects.bulk_create(seals)
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert seal_pending() == 1
    assert AuditSeal.objects.filter(source=AuditEvent._meta.db_table, row_id=late.pk).exists()
    assert verify_chain().ok


def test_modified_history_row_is_named(history):
    seal_pending()
    table = apps.get_model("catalogue", "TeamEvent")._meta.db_table
    target = AuditSeal.objects.filter(source=table).order_by("seq").first()
    _as_superuser_without_triggers(
        f"UPDATE {table} SET name = 'Forged' WHERE pgh_id = %s", [target.row_id]
    )
    code, out, err = _verify()
    assert code == 1
    assert f"{table} row {target.row_id} (seal #{target.seq})" in err
    assert "modified" in err
    assert "OK" not in out


def test_modified_business_event_is_named_even_when_a_later_one_is_also_changed(history):
    seal_pending()
    events = list(AuditEvent.objects.order_by("id"))
    first, last = events[0], events[-1]
    _as_superuser_without_triggers(
        f"UPDATE {AuditEvent._meta.db_table} SET reason = 'covered up' WHERE id IN (%s, %s)",
        [first.pk, last.pk],
    )
    result = verify_chain()
    seal = AuditSeal.objects.get(source=AuditEvent._meta.db_table, row_id=first.pk)
    assert not result.ok
    assert (result.problem.table, result.problem.row_id, result.problem.seq) == (
        AuditEvent._meta.db_table,
        first.pk,
        seal.seq,
    )
    assert result.checked == AuditSeal.objects.filter(seq__lt=seal.seq).count()


def test_rewritten_actor_in_context_is_detected(history, alice):
    seal_pending()
    table = apps.get_model("catalogue", "MembershipEvent")._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pgh_id, pgh_context_id FROM {table} ORDER BY pgh_id DESC LIMIT 1")
        pgh_id, context_id = cursor.fetchone()
    _as_superuser_without_triggers(
        "UPDATE pghistory_context SET metadata = jsonb_set(metadata, '{actor}', '\"alice\"') WHERE id = %s",
        [context_id],
    )
    result = verify_chain()
    assert not result.ok
    assert result.problem.row_id in {
        s.row_id
        for s in AuditSeal.objects.filter(
            source__in=[table, apps.get_model("catalogue", "TeamEvent")._meta.db_table]
        )
    }
    assert "modified" in result.problem.what


def test_deleted_row_is_named(history):
    seal_pending()
    table = apps.get_model("catalogue", "MembershipEvent")._meta.db_table
    target = AuditSeal.objects.filter(source=table).order_by("seq").last()
    _as_superuser_without_triggers(f"DELETE FROM {table} WHERE pgh_id = %s", [target.row_id])
    code, _, err = _verify()
    assert code == 1
    assert f"{table} row {target.row_id} (seal #{target.seq}): deleted" in err


def test_removed_seal_breaks_the_chain_at_the_next_link(history):
    seal_pending()
    seals = list(AuditSeal.objects.order_by("seq"))
    victim, following = seals[1], seals[2]
    _as_superuser_without_triggers(
        f"DELETE FROM {AuditSeal._meta.db_table} WHERE seq = %s", [victim.seq]
    )
    result = verify_chain()
    assert not result.ok
    assert result.problem.seq == following.seq
    assert "chain broken" in result.problem.what


def test_audit_event_queues_sealing_after_commit(
    admin_user, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("catalogue.tasks.seal_audit_chain.delay", lambda: queued.append(True))
    with django_capture_on_commit_callbacks(execute=True):
        team_create(slug="x", name="X", acting_user=admin_user)
    assert queued == [True]


def test_periodic_sealing_is_scheduled():
    from django.conf import settings

    assert (
        settings.CELERY_BEAT_SCHEDULE["seal-audit-chain"]["task"]
        == "catalogue.tasks.seal_audit_chain"
    )


def test_verify_seal_option_seals_then_verifies(history):
    out = io.StringIO()
    call_command("verify_audit", "--seal", stdout=out)
    assert "sealed" in out.getvalue()
    assert f"OK: all {AuditSeal.objects.count()} audit records verify" in out.getvalue()
    assert audit_event  # imported for the access helper tests elsewhere


def test_the_task_does_not_wait_for_a_running_sealer(history):
    import psycopg

    from catalogue.services.audit_chain import SEAL_LOCK_KEY

    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
    )
    try:
        with other.transaction():
            other.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
            assert seal_audit_chain() == 0  # another sealer holds the lock: return at once
        assert seal_audit_chain() > 0
    finally:
        other.close()
