"""Forms of the case pages. Validation of identifiers and rules stays in actions; forms only shape input.

File fields only collect uploads: what a file is (by content), its size and whether every required
material is there is decided by cases.actions.materials, which audits a refusal. A file is read up to
one byte over the limit, so an oversized upload is refused without holding it whole.
"""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from tongban.cases.models import ApplicantKind, Delivery, Outcome
from tongban.core import blobs


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    """The form's own copy of choice field `name`, to set its choices."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class ApplicationForm(forms.Form):
    competent_region = forms.ChoiceField(label="申请哪一地的事项（审批地区）")
    mode = forms.ChoiceField(label="通办模式", required=False)
    applicant_kind = forms.ChoiceField(label="申请人类型", choices=ApplicantKind.choices, initial=ApplicantKind.PERSON)
    applicant_name = forms.CharField(label="申请人姓名 / 企业名称", max_length=100)
    applicant_id_number = forms.CharField(label="身份证号（个人或法定代表人）", max_length=18,
                                          widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    applicant_phone = forms.CharField(label="联系电话", max_length=20,
                                      widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    applicant_credit_code = forms.CharField(label="统一社会信用代码（企业填写）", max_length=18, required=False)
    delivery = forms.ChoiceField(label="结果送达方式", choices=Delivery.choices, initial=Delivery.WINDOW)
    delivery_address = forms.CharField(label="邮寄地址（邮寄送达时填写）", max_length=200, required=False)
    materials_checked = forms.MultipleChoiceField(label="已核验的申请材料", required=False,
                                                  widget=forms.CheckboxSelectMultiple)
    delegation = forms.ChoiceField(label="审批交叉授权", required=False)

    def __init__(self, *args, regions=(), materials=(), modes=None, delegations=(), **kwargs):
        super().__init__(*args, **kwargs)
        if delegations:  # 审批交叉授权: the item may be decided by the other region's department
            _choices(self, "delegation").choices = [("", "由事项所属地区的主管部门办理")] + [
                (d.delegation_id, f"依{d.delegating_region.short_name}委托，由{d.department.name}办理"
                                  f"（有效期至 {d.valid_until:%Y-%m-%d}）") for d in delegations]
        else:
            del self.fields["delegation"]
        _choices(self, "competent_region").choices = [(r.code, r.name) for r in regions]
        if modes is None:  # online: always 全程网办
            del self.fields["mode"]
        else:
            _choices(self, "mode").choices = [("", "按收件地自动确定")] + [(m, m) for m in modes]
        _choices(self, "materials_checked").choices = [(m, m) for m in materials]


class RefuseForm(forms.Form):
    reason = forms.CharField(label="不予受理理由", widget=forms.Textarea(attrs={"rows": 3}))
    basis = forms.CharField(label="法律依据", max_length=200)


class SupplementForm(forms.Form):
    missing = forms.MultipleChoiceField(label="需补正的材料（一次性列明）", required=False,
                                        widget=forms.CheckboxSelectMultiple)
    other = forms.CharField(label="其他需补正的材料（每行一项）", required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "missing").choices = [(m, m) for m in materials]

    def params(self) -> dict:
        extra = [line.strip() for line in self.cleaned_data["other"].splitlines() if line.strip()]
        return {"missing": list(self.cleaned_data["missing"]) + extra, "note": self.cleaned_data["note"]}


class SuspendForm(forms.Form):
    reason = forms.CharField(label="中止理由", max_length=200)


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label="办理结果", choices=Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="决定说明（不予办理时必填）", required=False, widget=forms.Textarea(attrs={"rows": 3}))


ACTION_FORMS = {"refuse": RefuseForm, "request_supplement": SupplementForm, "suspend": SuspendForm,
                "decide": DecideForm}


# ---- files ---------------------------------------------------------------------------------------

ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files for one material; not validated here (the action judges each by its content)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in files if f]


def read_upload(upload: UploadedFile) -> tuple[bytes, str]:
    """The bytes (at most the limit plus one: enough to refuse an oversized file) and the file's name."""
    upload.seek(0)
    return upload.read(blobs.max_bytes() + 1), upload.name or ""


def _requirement(m: dict) -> str:
    return f"{m['kind']} {m['copies']} 份" + ("" if m.get("required") else "，视情况提供")


class OnlineApplicationForm(forms.Form):
    """全程网办: the applicant comes from the account (shown, not editable); one file input per material."""

    competent_region = forms.ChoiceField(label="申请哪一地的事项（审批地区）")
    applicant = forms.ChoiceField(label="以谁的名义申请", required=False)
    delivery = forms.ChoiceField(label="结果送达方式", choices=Delivery.choices, initial=Delivery.ELECTRONIC)
    delivery_address = forms.CharField(label="邮寄地址（邮寄送达时填写）", max_length=200, required=False)

    def __init__(self, *args: Any, regions: Any = (), materials: Sequence[dict] = (),
                 enterprises: Any = (), offers: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "competent_region").choices = [(r.code, r.name) for r in regions]
        _choices(self, "applicant").choices = [("", "本人")] + [
            (e.credit_code, f"{e.name}（经办人）") for e in enterprises]
        if not enterprises:
            del self.fields["applicant"]
        self.materials = list(materials)
        for i, m in enumerate(self.materials):
            self.fields[f"file_{i}"] = MultipleFileField(label=f"{m['name']}（{_requirement(m)}）")
            if m.get("e_licence") and offers:
                self.fields[f"elicence_{i}"] = forms.ChoiceField(
                    label=f"或使用电子证照代替“{m['name']}”", required=False,
                    choices=[("", "不使用电子证照")] + list(offers))

    def general_fields(self) -> list[forms.BoundField]:
        """Region, applicant, delivery: every field but the materials'."""
        return [self[name] for name in ("competent_region", "applicant", "delivery", "delivery_address")
                if name in self.fields]

    def material_rows(self) -> list[dict[str, Any]]:
        """Per material: its name, its file field and its 电子证照 field (or None), for the template."""
        return [{"material": m, "file": self[f"file_{i}"],
                 "elicence": self[f"elicence_{i}"] if f"elicence_{i}" in self.fields else None}
                for i, m in enumerate(self.materials)]

    def uploads(self) -> tuple[list[tuple[str, bytes, str]], list[tuple[str, str]]]:
        """(material, data, filename) of every file and (material, doc_id) of every 电子证照 picked."""
        files, elicences = [], []
        for i, m in enumerate(self.materials):
            for upload in self.cleaned_data.get(f"file_{i}", []):
                data, name = read_upload(upload)
                files.append((m["name"], data, name))
            doc_id = self.cleaned_data.get(f"elicence_{i}")
            if doc_id:
                elicences.append((m["name"], doc_id))
        return files, elicences

    def field_of(self, material: str) -> str | None:
        """The file field's name of `material` (to mark a missing one)."""
        for i, m in enumerate(self.materials):
            if m["name"] == material:
                return f"file_{i}"
        return None


class MaterialFilesForm(forms.Form):
    """One file input per listed material (网上补正: the materials of the 补正告知)."""

    def __init__(self, *args: Any, materials: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.materials = list(materials)
        for i, name in enumerate(self.materials):
            self.fields[f"file_{i}"] = MultipleFileField(label=name)

    def uploads(self) -> list[tuple[str, bytes, str]]:
        files = []
        for i, name in enumerate(self.materials):
            for upload in self.cleaned_data.get(f"file_{i}", []):
                data, filename = read_upload(upload)
                files.append((name, data, filename))
        return files

    def field_of(self, material: str) -> str | None:
        return f"file_{self.materials.index(material)}" if material in self.materials else None


class ScanForm(forms.Form):
    """窗口扫描: one scanned material into the case."""

    material = forms.ChoiceField(label="材料")
    file = forms.FileField(label="扫描件（PDF、JPG、PNG）", widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
                           allow_empty_file=True)

    def __init__(self, *args: Any, materials: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "material").choices = [(m, m) for m in materials]
