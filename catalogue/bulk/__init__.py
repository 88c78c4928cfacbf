"""Bulk registration and export: CSV/JSON files, PROV-JSON lineage, example templates.

Parsing and formatting live here (no writes); every write goes through `catalogue.services`.
"""
