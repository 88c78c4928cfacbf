"""The default metric catalogue, so a production database has metrics without `seed_demo`."""

from django.db import migrations


def add_default_metrics(apps, schema_editor):
    # The list is data owned by services/outcomes.py; the migration only inserts what is missing.
    from catalogue.services.outcomes import DEFAULT_METRICS

    Metric = apps.get_model("catalogue", "Metric")
    # The migrating connection (the owner role), not the default alias (the application role).
    metrics = Metric.objects.using(schema_editor.connection.alias)
    existing = set(metrics.values_list("code", flat=True))
    metrics.bulk_create(
        Metric(code=code, name=name, unit=unit, direction=direction, min_value=low, max_value=high,
               description=description)
        for code, (name, unit, direction, low, high, description) in DEFAULT_METRICS.items()
        if code not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0006_contributor_history_without_personal_data")]

    operations = [migrations.RunPython(add_default_metrics, migrations.RunPython.noop)]
