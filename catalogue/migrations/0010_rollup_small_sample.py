"""Keep a small sample's raw values on its rollup (see ArtifactMetricRollup.small_sample).

The backfill fills every rollup below n = 30 with the values of the outcomes already folded into
it (those with a RollupApplied key), in one set-based statement.
"""

import django.contrib.postgres.fields
from django.db import migrations, models

BACKFILL = """
UPDATE catalogue_artifactmetricrollup AS m
   SET small_sample = s.vals
  FROM (SELECT r.artifact_id, o.metric_id, array_agg(o.value ORDER BY o.id) AS vals
          FROM catalogue_outcome AS o
          JOIN catalogue_reuse AS r ON r.id = o.reuse_id
          JOIN catalogue_artifactmetricrollup AS small
            ON small.artifact_id = r.artifact_id AND small.metric_id = o.metric_id AND small.n < 30
         WHERE EXISTS (SELECT 1 FROM catalogue_rollupapplied AS a WHERE a.key = 'outcome:' || o.id)
         GROUP BY r.artifact_id, o.metric_id) AS s
 WHERE m.artifact_id = s.artifact_id AND m.metric_id = s.metric_id
"""


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0009_search_terms")]

    operations = [
        migrations.AddField(
            model_name="artifactmetricrollup",
            name="small_sample",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.FloatField(), blank=True, default=list, size=None
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
