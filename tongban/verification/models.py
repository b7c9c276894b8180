"""Result documents (审批结果文书) issued by this node, signed with its key (审批互信).

A row is the issuing node's record of one signed document: the payload exactly as signed, the
signature, and whether it has been revoked since. Only documents issued here are stored; a document
of another node is checked from its file alone (see verification.actions.verify_document).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tongban.cases.models import Case


class Kind(models.TextChoices):
    LICENCE = "licence", "电子证照"  # an approval: the result itself
    COMPLETION = "completion", "办结通知"  # a denial: the decision not to grant


class ResultDocument(models.Model):
    doc_id = models.CharField("文书编号", max_length=100, unique=True)  # "<node id>:<uuid hex>"
    issuer = models.CharField("签发节点", max_length=50)
    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("文书类型", max_length=12, choices=Kind.choices)
    payload = models.JSONField("签名内容")  # exactly what was signed (keys.canonical of it)
    signature = models.CharField("签名", max_length=200)  # base64 Ed25519
    issued_at = models.DateTimeField("签发时间")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revocation_reason = models.CharField("吊销原因", max_length=200, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="吊销人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "结果文书"
        ordering = ["-issued_at"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="result_document_once")]

    def __str__(self) -> str:
        return f"{self.doc_id}（{self.get_kind_display()}）"


class RevocationNotice(models.Model):
    """Another node's word that a document it issued is revoked (a `result.revoke` message, verified).

    Lets every node's verify page and `tongban verify` show 已吊销 for documents issued elsewhere.
    """

    doc_id = models.CharField("文书编号", max_length=100, unique=True)
    issuer = models.CharField("签发节点", max_length=50)
    revoked_at = models.DateTimeField("吊销时间")
    reason = models.CharField("吊销原因", max_length=200, blank=True)
    received_at = models.DateTimeField("收到时间")

    class Meta:
        verbose_name = verbose_name_plural = "外节点吊销通知"

    def __str__(self) -> str:
        return f"{self.doc_id} 已吊销"
