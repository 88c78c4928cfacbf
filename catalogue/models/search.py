"""The vocabulary of title words, for typo-tolerant search.

A misspelt word ("mortage") matches no full-text lexeme. Comparing it by trigram with every
title would score each matching row (120,000 of them for a common word at 1M artifacts);
comparing it with the distinct title words (thousands) finds the likely word ("mortgage") in a
millisecond, and its full-text lexeme ("mortgag") lets the full-text index do the rest
(`catalogue.search`). Words are compared as written, not stemmed: "custmer" is close to
"customer" but not to its stem "custom".

Rows are added by statement-level triggers on `catalogue_artifact` (migration 0009), so every
path that writes titles (ORM, bulk import, COPY) keeps it current; words no longer used stay,
harmlessly (they only widen a fuzzy query that then matches nothing).
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import models


class SearchTerm(models.Model):
    word = models.TextField(primary_key=True, help_text="a lower-case word of some title")
    lexeme = models.TextField(help_text="its English full-text lexeme")

    class Meta:
        indexes = [GinIndex(name="searchterm_trgm", fields=["word"], opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return self.word
