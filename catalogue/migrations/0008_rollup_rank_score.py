"""The library's ranking stored on each metric rollup, with an index walked per (metric, kind).

Backfill: the kind is copied from the artifact; the score comes from `stats.rank_score`, the one
statement of the ranking rule (a pure function, so importing it here is safe), in batches of
20,000 rows.
"""

from django.db import migrations, models

from catalogue import stats

BATCH = 20_000


def backfill(apps, schema_editor):
    # One UPDATE per row: a second one would queue the deferred foreign-key checks (the row is
    # then this transaction's own), and CREATE INDEX refuses to run with checks pending.
    with schema_editor.connection.cursor() as cursor:
        last = 0
        while True:
            cursor.execute(
                "SELECT r.id, a.kind, m.direction, r.ci_low, r.ci_high, r.mean FROM catalogue_artifactmetricrollup r "
                "JOIN catalogue_artifact a ON a.id = r.artifact_id JOIN catalogue_metric m ON m.id = r.metric_id "
                "WHERE r.id > %s ORDER BY r.id LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            cursor.execute(
                "UPDATE catalogue_artifactmetricrollup r SET kind = v.kind, rank_score = v.score, rank_mean = v.mean "
                "FROM unnest(%s::bigint[], %s::varchar[], %s::float8[], %s::float8[]) AS v(id, kind, score, mean) "
                "WHERE r.id = v.id",
                [
                    [pk for pk, *_ in rows],
                    [kind for _, kind, *_ in rows],
                    [stats.rank_score(direction, low, high) for _, _, direction, low, high, _ in rows],
                    [stats.oriented(direction, mean) for _, _, direction, _, _, mean in rows],
                ],
            )
            last = rows[-1][0]


class Migration(migrations.Migration):

    dependencies = [
        ("catalogue", "0007_default_metrics"),
    ]

    operations = [
        migrations.AddField(
            model_name="artifactmetricrollup",
            name="kind",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="artifactmetricrollup",
            name="rank_score",
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name="artifactmetricrollup",
            name="rank_mean",
            field=models.FloatField(null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(
            model_name="artifactmetricrollup",
            name="metric_rollup_rank",
        ),
        migrations.AddIndex(
            model_name="artifactmetricrollup",
            index=models.Index(
                models.F("metric"), models.F("kind"),
                models.OrderBy(models.F("rank_score"), descending=True, nulls_last=True),
                models.OrderBy(models.F("rank_mean"), descending=True, nulls_last=True),
                models.F("artifact"), condition=models.Q(("n__gt", 0)), name="metric_rollup_top",
            ),
        ),
    ]
