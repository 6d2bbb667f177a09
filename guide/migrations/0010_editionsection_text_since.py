# Each section of an edition learns the first edition, in a row of editions, whose text
# for it is exactly this one (EditionSection.text_since): quotes are then located once
# per text rather than once per edition. Filled here from the editions as published;
# 0011 makes it required. Comment anchors follow in comments 0012.

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    Edition = apps.get_model("guide", "Edition")
    EditionSection = apps.get_model("guide", "EditionSection")
    before: dict[int, tuple[str, int]] = {}  # section id -> (body_html, text_since id)
    for edition in Edition.objects.order_by("published_at", "pk"):
        rows = list(EditionSection.objects.filter(edition=edition))
        now = {}
        for row in rows:
            earlier = before.get(row.section_id)
            same = earlier is not None and earlier[0] == row.body_html
            row.text_since_id = earlier[1] if same else edition.pk
            now[row.section_id] = (row.body_html, row.text_since_id)
        EditionSection.objects.bulk_update(rows, ["text_since"], batch_size=500)
        before = now


class Migration(migrations.Migration):
    dependencies = [("guide", "0009_search_document")]

    operations = [
        migrations.AddField(
            model_name="editionsection",
            name="text_since",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="guide.edition",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
