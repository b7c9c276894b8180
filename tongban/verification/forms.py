from typing import Any

from django import forms

from tongban.verification.payload import MAX_FILE_BYTES


class CheckForm(forms.Form):
    """A document file to check: uploaded, or its text pasted."""

    file = forms.FileField(label="上传结果文书文件（.json）", required=False)
    text = forms.CharField(label="或粘贴文件内容", required=False, widget=forms.Textarea(attrs={"rows": 6}),
                           max_length=MAX_FILE_BYTES)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload = data.get("file")
        if upload is not None and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(f"文件过大：结果文书文件不超过 {MAX_FILE_BYTES // 1024} KB。")
        if upload is None and not (data.get("text") or "").strip():
            raise forms.ValidationError("请上传文件或粘贴文件内容。")
        return data

    def raw(self) -> bytes | str:
        upload = self.cleaned_data.get("file")
        return upload.read() if upload is not None else self.cleaned_data["text"]


class RevokeForm(forms.Form):
    reason = forms.CharField(label="吊销原因", max_length=200, widget=forms.TextInput(attrs={"size": 40}))
