"""Forms of the case pages. Validation of identifiers and rules stays in actions; forms only shape input."""

from django import forms

from tongban.cases.models import ApplicantKind, Delivery, Outcome


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
