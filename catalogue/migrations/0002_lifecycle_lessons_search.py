"""Full-text index for the lessons library (retired artifacts only, so it stays small).

The expression must match `catalogue.selectors.lessons.LESSONS_DOCUMENT_SQL` exactly for the
planner to use it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql="""
            CREATE INDEX IF NOT EXISTS artifact_lessons_search ON catalogue_artifact USING gin (
                to_tsvector('english'::regconfig,
                    coalesce(title, '') || ' ' || coalesce(retirement_rationale, '') || ' ' ||
                    coalesce(lessons_learned, ''))
            ) WHERE status IN ('deprecated', 'archived');
            """,
            reverse_sql="DROP INDEX IF EXISTS artifact_lessons_search;",
        ),
    ]
