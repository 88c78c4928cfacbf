import threading

import pytest
from django.db import connection

from catalogue.models import Lineage
from catalogue.rules import RuleViolation
from catalogue.services.artifacts import lineage_add
from tests.factories import ArtifactFactory


@pytest.mark.django_db(transaction=True)
def test_racing_writers_cannot_close_a_cycle(alice, retail):
    a, b = ArtifactFactory(owner_team=retail), ArtifactFactory(owner_team=retail)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def add(child, parent):
        try:
            barrier.wait()
            lineage_add(acting_user=alice, child=child, parent=parent, relation="derived_from")
            results.append("ok")
        except RuleViolation as exc:
            results.append(exc.reasons[0].code)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=add, args=pair) for pair in ((a, b), (b, a))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["lineage.cycle", "ok"]
    assert Lineage.objects.count() == 1
