"""Forms of the 好差评 pages: the rating, and one small form per rectification step."""

from django import forms

from tongban.ratings.actions import COMMENT_MAX, MAX_RECTIFICATION_DAYS, TEXT_MAX, rectification_days
from tongban.ratings.invite import RatingInput
from tongban.ratings.models import BadReason, Level, Target


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label="总体评价", coerce=int, widget=forms.RadioSelect,
        choices=[(level.value, level.label) for level in sorted(Level, reverse=True)],
        error_messages={"required": "请选择评价等级", "invalid_choice": "请选择评价等级"})
    comment = forms.CharField(
        label="意见和建议（选填）", required=False, max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"不超过 {COMMENT_MAX} 字。不满意的，请写明原因，便于核实整改。请勿填写身份证号、手机号等个人信息。")


LEVEL_CHOICES = [(level.value, level.label) for level in sorted(Level, reverse=True)]


class LinkRatingForm(forms.Form):
    """The one-time link's form: the window's and the department's service, each with a level, a reason
    (required by the action when the level is bad) and an optional comment. Fields `<target>_<name>`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for target in Target:
            self.fields[f"{target}_level"] = forms.TypedChoiceField(
                label=f"对{target.label}的评价", coerce=int, widget=forms.RadioSelect, choices=LEVEL_CHOICES,
                error_messages={"required": f"请选择对{target.label}的评价", "invalid_choice": "请选择评价等级"})
            self.fields[f"{target}_reason"] = forms.ChoiceField(
                label="不满意的原因（选择“不满意”“非常不满意”时必选）", required=False,
                choices=[("", "（请选择）"), *BadReason.choices])
            self.fields[f"{target}_comment"] = forms.CharField(
                label="意见和建议（选填）", required=False, max_length=COMMENT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}))

    def parts(self) -> list[tuple[Target, list[forms.BoundField]]]:
        """The fields of each target, for the template."""
        return [(target, [self[f"{target}_{name}"] for name in ("level", "reason", "comment")]) for target in Target]

    def inputs(self) -> dict[str, RatingInput]:
        data = self.cleaned_data
        return {str(target): RatingInput(level=data[f"{target}_level"], reason=data[f"{target}_reason"],
                                         comment=data[f"{target}_comment"]) for target in Target}


class StepForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def params(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "expected_version"}


def _text(label: str, rows: int = 3, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, max_length=TEXT_MAX, required=required,
                           widget=forms.Textarea(attrs={"rows": rows}))


class VerifyForm(StepForm):
    finding = _text("核实情况")
    days = forms.IntegerField(label="整改期限（工作日）", min_value=1, max_value=MAX_RECTIFICATION_DAYS,
                              help_text="自今日起按法定工作日计算（含调休上班日）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = rectification_days()


class RectifyForm(StepForm):
    measures = _text("整改措施", rows=4)
    feedback = _text("反馈评价人的内容", rows=3)


class RecheckForm(StepForm):
    note = _text("复核意见")


class AppealForm(StepForm):
    reason = _text("申诉理由", rows=4)


class DecideAppealForm(StepForm):
    uphold = forms.TypedChoiceField(
        label="申诉是否成立", widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", "成立：该评价不计入统计，不予整改"), ("no", "不成立：退回核实整改")],
        error_messages={"required": "请选择申诉是否成立"})
    note = _text("处理意见", required=False)


STEP_FORMS: dict[str, type[StepForm]] = {
    "verify": VerifyForm, "appeal": AppealForm, "rectify": RectifyForm, "recheck": RecheckForm,
    "decide_appeal": DecideAppealForm,
}
