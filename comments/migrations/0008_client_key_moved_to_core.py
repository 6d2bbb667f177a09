# The table stays; core.ClientKey owns it from now on (core 0001).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("comments", "0007_report_reason"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ClientKey")],
            database_operations=[],
        ),
    ]
