"""Title vocabulary for typo-tolerant search (see catalogue/models/search.py).

Statement-level triggers with transition tables: a COPY of 50,000 artifacts adds their
words in one INSERT ... SELECT DISTINCT, not 50,000. Rows are inserted in lexeme order so two
transactions adding overlapping words wait for each other instead of deadlocking.
"""

import django.contrib.postgres.indexes
from django.db import migrations, models

# Distinct new words first, so each is stemmed once; stop words have no lexeme and are skipped.
WORDS_FROM = """
INSERT INTO catalogue_searchterm (word, lexeme)
SELECT w.word, l.lexeme
  FROM (SELECT DISTINCT word
          FROM {source}, regexp_split_to_table(lower(coalesce(title, '')), '[^[:alnum:]]+') AS word
         WHERE word <> '') AS w
 CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector('english', w.word))) AS l(lexeme)
 WHERE NOT EXISTS (SELECT 1 FROM catalogue_searchterm AS known WHERE known.word = w.word)
 ORDER BY w.word
    ON CONFLICT (word) DO NOTHING
"""

TRIGGERS = f"""
CREATE FUNCTION catalogue_searchterm_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {WORDS_FROM.format(source="new_rows")};
    RETURN NULL;
END $$;
CREATE TRIGGER artifact_searchterm_insert AFTER INSERT ON catalogue_artifact
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION catalogue_searchterm_add();
CREATE TRIGGER artifact_searchterm_update AFTER UPDATE ON catalogue_artifact
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION catalogue_searchterm_add();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS artifact_searchterm_insert ON catalogue_artifact;
DROP TRIGGER IF EXISTS artifact_searchterm_update ON catalogue_artifact;
DROP FUNCTION IF EXISTS catalogue_searchterm_add();
"""


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0008_rollup_rank_score")]

    operations = [
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                ("word", models.TextField(help_text="a lower-case word of some title", primary_key=True,
                                          serialize=False)),
                ("lexeme", models.TextField(help_text="its English full-text lexeme")),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(
                        fields=["word"], name="searchterm_trgm", opclasses=["gin_trgm_ops"]
                    )
                ]
            },
        ),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
        migrations.RunSQL(WORDS_FROM.format(source="catalogue_artifact"), migrations.RunSQL.noop),
    ]
