from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shebao.core.models.agencies import Agency


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Stopped with an error")


class BatchRun(models.Model):
    """One batch job (批量作业): a monthly assessment, an interest crediting, a payroll.

    The run is split into chunks planned when it is created; each chunk is one transaction
    that records its own completion, so a killed run resumes at the first chunk not done.
    ``params`` freezes the parameter values the run uses, with their references, so the run
    can be explained and recomputed years later.
    """

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    period = models.PositiveIntegerField(_("period"), null=True, blank=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency subtree"), on_delete=models.PROTECT, related_name="+"
    )
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.PENDING
    )
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    rows = models.BigIntegerField(_("rows written"), default=0)
    totals = models.JSONField(_("totals"), default=dict)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("started by"), max_length=150)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch run")
        verbose_name_plural = _("batch runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.period or ''} #{self.pk}"

    @property
    def percent(self) -> int:
        if not self.chunks_total:
            return 100 if self.status == BatchStatus.DONE else 0
        return self.chunks_done * 100 // self.chunks_total


class BatchChunk(models.Model):
    """One unit of a run: a segment (e.g. employers or flexible workers) and an id range."""

    run = models.ForeignKey(BatchRun, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    segment = models.CharField(max_length=20)
    lo = models.BigIntegerField()
    hi = models.BigIntegerField()
    done = models.BooleanField(default=False)
    rows = models.BigIntegerField(default=0)
    totals = models.JSONField(default=dict)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["run", "seq"], name="core_batch_chunk_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.seq} {self.segment} [{self.lo}, {self.hi}]"
