"""The dispatch model in the product: training from a file (plus the operators' own dispatches), versions,
suggestions on the operator form, and batch prediction.

The learning itself is in `classifier.py` (no Django there). Here: which texts and labels it learns
from, where the model is kept (`DispatchModel`, one row per version, newest active one used), and how
a predicted category becomes a unit (the region's `Responsibility` map).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Max

from tongban.audit.actions import do_append
from tongban.catalog.models import Region
from tongban.core import clock
from tongban.hotline.actions import default_unit
from tongban.hotline.models import Category, Complaint, DispatchModel, Unit
from tongban.textmining import classifier

# (version, trained_at) → model: a row never changes once written, and the training time tells a new row
# apart from an old one with the same version number (a database rebuilt, as between tests)
_loaded: dict[tuple, classifier.Classifier] = {}


@dataclass(frozen=True)
class Suggestion:
    category: str
    confidence: float
    unit: Unit | None
    category_id: int | None  # None: the model knows a label that is not (or no longer) an active category

    def as_dict(self) -> dict:
        return {"category": self.category, "confidence": round(self.confidence, 4),
                "unit": self.unit.name if self.unit else ""}


def active_model() -> tuple[DispatchModel, classifier.Classifier] | None:
    row = DispatchModel.objects.filter(active=True).defer("blob").order_by("-version").first()
    if row is None:
        return None
    key = (row.version, row.trained_at)
    if key not in _loaded:
        blob = DispatchModel.objects.values_list("blob", flat=True).get(pk=row.pk)
        _loaded.clear()  # keep one model in memory: the active one
        _loaded[key] = classifier.Classifier.loads(bytes(blob))
    return row, _loaded[key]


def suggest(text: str, region: Region, k: int = 3) -> tuple[int | None, list[Suggestion]]:
    """The model's top-k categories for a complaint text, each with the unit it would go to in `region`."""
    found = active_model()
    if found is None or not (text or "").strip():
        return None, []
    row, model = found
    categories = {c.name: c for c in Category.objects.filter(name__in=model.labels, active=True)}
    out = []
    for s in model.predict_top(text, k=k):
        category = categories.get(s.label)
        out.append(Suggestion(s.label, s.confidence, default_unit(region, category) if category else None,
                              category.pk if category else None))
    return row.version, out


def feedback() -> tuple[list[str], list[str]]:
    """The operators' own dispatches (confirmed or overridden): the category they chose is the label."""
    rows = Complaint.objects.filter(category__isnull=False, dispatched_at__isnull=False).values_list(
        "text", "category__name")
    texts, labels = [], []
    for text, label in rows.iterator():
        texts.append(text)
        labels.append(label)
    return texts, labels


def do_train(path: str | Path, text_col: str | list[str], label_col: str, *, actor: str = "system",
             with_feedback: bool = True) -> DispatchModel:
    """Train a new version from a labelled file (CSV or XLSX) plus, by default, the operators' dispatches.

    Errors (missing columns, one class, unreadable file) raise `classifier.TrainingError`; nothing is
    written then. Labels that are not yet categories are created as categories (so the operator can map
    them to units); existing categories are untouched."""
    texts, labels = classifier.read_table(path, text_col, label_col)
    n_feedback = 0
    if with_feedback:
        fb_texts, fb_labels = feedback()
        texts, labels, n_feedback = texts + fb_texts, labels + fb_labels, len(fb_texts)
    model = classifier.train(texts, labels)
    blob = model.dumps()
    with transaction.atomic():
        version = (DispatchModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        for label in model.labels:
            Category.objects.get_or_create(name=label[:50])
        row = DispatchModel.objects.create(
            version=version, trained_at=clock.now(), trained_by=actor, source=str(path)[:300],
            n_samples=len(texts), n_feedback=n_feedback, labels=list(model.labels), meta=model.meta, blob=blob)
        do_append(actor=actor, action="hotline.model.train", subject=f"dispatch-model:v{version}",
                  data={"source": Path(path).name, "samples": len(texts), "feedback": n_feedback,
                        "labels": len(model.labels)})
    return row


def predict_file(path: str | Path, text_col: str | list[str], out: str | Path, *, version: int | None = None) -> int:
    """Write each row's predicted label and confidence (and the top three) to a CSV. Returns the row count."""
    texts, _ = classifier.read_table(path, text_col, None)
    if version is None:
        found = active_model()
        if found is None:
            raise classifier.TrainingError("还没有派单模型：请先运行 tongban dispatch train。")
        row, model = found
    else:
        chosen = DispatchModel.objects.filter(version=version).first()
        if chosen is None:
            raise classifier.TrainingError(f"没有版本为 {version} 的派单模型。")
        row, model = chosen, classifier.Classifier.loads(bytes(chosen.blob))
    predictions = model.predict_many(texts, k=3)
    with open(out, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["row", "predicted_label", "confidence", "second_label", "second_confidence",
                         "third_label", "third_confidence", "model_version"])
        for i, top in enumerate(predictions, start=1):
            cells: list = [i]
            for j in range(3):
                cells += [top[j].label, f"{top[j].confidence:.4f}"] if j < len(top) else ["", ""]
            writer.writerow([*cells, row.version])
    return len(texts)
