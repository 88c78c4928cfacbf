"""IP assignments get a scope the rights check evaluates: purposes, channels (and jurisdiction codes).

Existing rows get empty lists and keep their jurisdiction text, so they keep meaning what they
meant: no purpose or channel restriction.
"""

import django.contrib.postgres.fields
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0013_retirement_history'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='ipassignment',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='ipassignment',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='ipassignment',
            name='delete_delete',
        ),
        migrations.AddField(
            model_name='ipassignment',
            name='scope_channels',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=32), blank=True, default=list),
        ),
        migrations.AddField(
            model_name='ipassignment',
            name='scope_purposes',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=32), blank=True, default=list),
        ),
        migrations.AddField(
            model_name='ipassignmentevent',
            name='scope_channels',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=32), blank=True, default=list),
        ),
        migrations.AddField(
            model_name='ipassignmentevent',
            name='scope_purposes',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=32), blank=True, default=list),
        ),
        migrations.AlterField(
            model_name='ipassignment',
            name='jurisdiction',
            field=models.CharField(blank=True, help_text='ISO 3166 codes the licence covers, comma-separated (GB or GB,IE); blank or WW: worldwide.', max_length=16),
        ),
        migrations.AlterField(
            model_name='ipassignment',
            name='scope',
            field=models.TextField(blank=True, help_text="The licence's terms in words (for people)."),
        ),
        migrations.AlterField(
            model_name='ipassignmentevent',
            name='jurisdiction',
            field=models.CharField(blank=True, help_text='ISO 3166 codes the licence covers, comma-separated (GB or GB,IE); blank or WW: worldwide.', max_length=16),
        ),
        migrations.AlterField(
            model_name='ipassignmentevent',
            name='scope',
            field=models.TextField(blank=True, help_text="The licence's terms in words (for people)."),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ipassignment',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "catalogue_ipassignmentevent" ("artifact_id", "assignee", "assignor_id", "created_at", "document", "id", "jurisdiction", "kind", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "scope", "scope_channels", "scope_purposes", "signed_on", "status", "updated_at") VALUES (NEW."artifact_id", NEW."assignee", NEW."assignor_id", NEW."created_at", NEW."document", NEW."id", NEW."jurisdiction", NEW."kind", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."scope", NEW."scope_channels", NEW."scope_purposes", NEW."signed_on", NEW."status", NEW."updated_at"); RETURN NULL;', hash='f23b4cfb7d0d780f2bdd6fa826c1fcfc5cbd32e1', operation='INSERT', pgid='pgtrigger_insert_insert_e7e94', table='catalogue_ipassignment', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ipassignment',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "catalogue_ipassignmentevent" ("artifact_id", "assignee", "assignor_id", "created_at", "document", "id", "jurisdiction", "kind", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "scope", "scope_channels", "scope_purposes", "signed_on", "status", "updated_at") VALUES (NEW."artifact_id", NEW."assignee", NEW."assignor_id", NEW."created_at", NEW."document", NEW."id", NEW."jurisdiction", NEW."kind", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."scope", NEW."scope_channels", NEW."scope_purposes", NEW."signed_on", NEW."status", NEW."updated_at"); RETURN NULL;', hash='dfd3b853bb1eab1dd78c062d04f2cd569fecb289', operation='UPDATE', pgid='pgtrigger_update_update_8cdfd', table='catalogue_ipassignment', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ipassignment',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "catalogue_ipassignmentevent" ("artifact_id", "assignee", "assignor_id", "created_at", "document", "id", "jurisdiction", "kind", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "scope", "scope_channels", "scope_purposes", "signed_on", "status", "updated_at") VALUES (OLD."artifact_id", OLD."assignee", OLD."assignor_id", OLD."created_at", OLD."document", OLD."id", OLD."jurisdiction", OLD."kind", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."scope", OLD."scope_channels", OLD."scope_purposes", OLD."signed_on", OLD."status", OLD."updated_at"); RETURN NULL;', hash='ab30394c4d51dae795679f6d042b98f5171bebfb', operation='DELETE', pgid='pgtrigger_delete_delete_9d830', table='catalogue_ipassignment', when='AFTER')),
        ),
    ]
