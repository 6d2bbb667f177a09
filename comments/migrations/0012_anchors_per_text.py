# A quote's anchor names the edition where the text it was located in first stood
# (guide.EditionSection.text_since), no longer the edition it was last located for:
# the same text in later editions keeps the same anchor without a write.

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery


def forward(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    EditionSection = apps.get_model("guide", "EditionSection")
    located_in = EditionSection.objects.filter(
        edition_id=OuterRef("anchor_edition_id"), section_id=OuterRef("section_id")
    ).values("text_since_id")[:1]
    Comment.objects.filter(Exists(located_in)).update(anchor_edition_id=Subquery(located_in))


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0011_postgresql_public_search"),
        ("guide", "0011_editionsection_text_since_required"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
