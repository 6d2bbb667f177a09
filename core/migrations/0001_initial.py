# ContentVersion (from guide) and ClientKey (from comments) move here with their
# tables unchanged: only Django's record of which app owns them changes.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("guide", "0006_content_version"),
        ("comments", "0005_client_keys_and_limits"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ContentVersion",
                    fields=[
                        ("name", models.CharField(max_length=20, primary_key=True, serialize=False)),
                        ("value", models.BigIntegerField(default=0)),
                    ],
                    options={
                        "verbose_name": "content version",
                        "verbose_name_plural": "content versions",
                        "db_table": "guide_contentversion",
                    },
                ),
                migrations.CreateModel(
                    name="ClientKey",
                    fields=[
                        ("day", models.DateField(primary_key=True, serialize=False)),
                        ("secret", models.CharField(max_length=64)),
                    ],
                    options={
                        "verbose_name": "client key",
                        "verbose_name_plural": "client keys",
                        "db_table": "comments_clientkey",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
