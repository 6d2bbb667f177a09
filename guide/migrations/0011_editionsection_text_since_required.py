# Every section of an edition has its text_since from now on (filled in 0010). A
# migration of its own: PostgreSQL alters no table with the fill's updates pending.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("guide", "0010_editionsection_text_since")]

    operations = [
        migrations.AlterField(
            model_name="editionsection",
            name="text_since",
            field=models.ForeignKey(
                help_text="The first of the editions in a row in which this section's text "
                "(body_html) is exactly this one.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="guide.edition",
            ),
        ),
    ]
