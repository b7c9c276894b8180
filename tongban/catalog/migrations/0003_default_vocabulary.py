"""Load the shipped vocabulary (tongban/catalog/data/vocabulary.tsv) into an empty table.

Skipped when the file is missing or the table already has entries, so a maintained vocabulary is
never overwritten: later changes to the file reach a running node by `tongban catalog vocabulary
import` (docs/catalog.md). The file is checked by `vocabulary.parse` (today's rules: the file ships
with the code and a test keeps it valid); a bad file stops the migration with every bad line listed.
"""

from pathlib import Path

from django.db import migrations
from django.utils import timezone

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "vocabulary.tsv"


def load_default(apps, schema_editor, path=DEFAULT_FILE):
    from tongban.catalog.vocabulary import parse, read_text

    Synonym = apps.get_model("catalog", "Synonym")
    SynonymVersion = apps.get_model("catalog", "SynonymVersion")
    if not path.is_file() or Synonym.objects.exists():
        return
    text, errors = read_text(path)
    parsed = parse(text) if not errors else None
    if parsed is None or parsed.errors:
        problems = errors or parsed.errors
        raise RuntimeError(f"{path} 有错误，未载入检索词表：\n" + "\n".join(str(e) for e in problems))
    now = timezone.now()
    synonyms = Synonym.objects.bulk_create([
        Synonym(word=e.word, terms="；".join(e.terms), note=e.note, enabled=e.enabled is not False,
                updated_at=now, updated_by="")
        for _, e in parsed.entries
    ])
    # bulk_create sets primary keys on SQLite ≥ 3.35 and PostgreSQL; read them back to be sure.
    ids = dict(Synonym.objects.values_list("word", "id"))
    SynonymVersion.objects.bulk_create([
        SynonymVersion(synonym_id=ids[s.word], word=s.word, version=1, terms=s.terms, enabled=s.enabled,
                       note=s.note, source="default", changed_by="", changed_at=now)
        for s in synonyms
    ])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_vocabulary")]

    operations = [migrations.RunPython(load_default, migrations.RunPython.noop)]
