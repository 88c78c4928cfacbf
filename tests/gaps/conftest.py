"""Reuse the legal fixtures (a cleared customer-derived artifact and its two-hop lineage)."""

from tests.legal.conftest import chain, cleared, customer  # noqa: F401
