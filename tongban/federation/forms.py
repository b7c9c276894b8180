from __future__ import annotations

from django import forms

from tongban.catalog.models import Department, Item, Region
from tongban.core import clock


def _model_choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    """The form's own copy of model choice field `name`, to set its queryset."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class DelegationForm(forms.Form):
    """审批交叉授权: the issuing administrator's region is fixed by their account."""

    department = forms.ModelChoiceField(label="受托部门（另一地区）", queryset=Department.objects.none())
    items = forms.ModelMultipleChoiceField(label="委托事项（可多选）", queryset=Item.objects.none(),
                                           to_field_name="code", widget=forms.SelectMultiple(attrs={"size": 12}))
    valid_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        _model_choices(self, "department").queryset = (
            Department.objects.exclude(region=region).exclude(region__parent=region)
            .select_related("region").order_by("region__code", "name"))
        _model_choices(self, "items").queryset = Item.objects.filter(competences__region=region).order_by("code")
        self.fields["valid_from"].initial = clock.today()


class RevokeDelegationForm(forms.Form):
    reason = forms.CharField(label="撤销理由", max_length=200)
