# The table stays; core.ContentVersion owns it from now on (core 0001).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("guide", "0006_content_version"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ContentVersion")],
            database_operations=[],
        ),
    ]
