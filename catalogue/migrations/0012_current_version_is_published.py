"""Rule 1: once an artifact has a published version, `current_version` is its newest published one.

Before, adding a version made it current at once, unpublished, and reusable. This points every
such artifact back at its newest published version, in one set-based statement; the unpublished
version stays, waiting to be published through the gates.
"""

from django.db import migrations

REPAIR = """
UPDATE catalogue_artifact AS a
   SET current_version_id = (
       SELECT p.id FROM catalogue_version AS p
        WHERE p.artifact_id = a.id AND p.published_at IS NOT NULL
        ORDER BY p.created_at DESC, p.id DESC LIMIT 1)
 WHERE EXISTS (SELECT 1 FROM catalogue_version AS c
                WHERE c.id = a.current_version_id AND c.published_at IS NULL)
   AND EXISTS (SELECT 1 FROM catalogue_version AS p
                WHERE p.artifact_id = a.id AND p.published_at IS NOT NULL)
"""


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0011_contributor_history_without_external_ref")]

    operations = [migrations.RunSQL(REPAIR, reverse_sql=migrations.RunSQL.noop)]
