"""The one way a stateful row changes state: a table of actions, compare-and-set, one audit entry.

A model that moves through states (a case, a rectification, a complaint, a demand…) has `state` and
`version` columns and a table of `Step`s. `StateMachine.apply` does, in one transaction:

    UPDATE … SET state = target, version = version + 1, <changes> WHERE id = ? AND state = ? AND version = ?

When two people act on the same row at once, one UPDATE matches and wins; the other matches no row and
gets `Conflict` — nothing of theirs is applied. Then `after(fresh)` writes the related rows (a notice,
an event, an outbox message) and the audit entry is appended, so the change, its consequences and its
trace commit together or not at all.

Access (who may take the step) is the caller's `check_*`: it depends on the domain. The table decides
only *from which states* a step may start and where it leads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models, transaction

from tongban.audit.actions import do_append
from tongban.core import clock
from tongban.core.errors import BadTransition, Conflict, Invalid

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Step:
    """An action of the table: the states it may start from, the state it leads to, its label for people.

    `target` None means the caller names it (a case resuming to the state it paused in, an appeal's outcome)."""

    sources: frozenset[str]
    target: str | None
    label: str


class StateMachine(Generic[M]):
    """The steps of one model. `area` prefixes the audit actions and the error codes (``case.accept``,
    ``case.bad_transition``); `noun` names a row for messages (“办件 TZ2026…”); `subject` is its audit subject."""

    def __init__(self, model: type[M], steps: Mapping[str, Step], *, area: str,
                 noun: Callable[[M], str], subject: Callable[[M], str]) -> None:
        self.model = model
        self.steps = dict(steps)
        self.area = area
        self.noun = noun
        self.subject = subject

    @property
    def labels(self) -> dict[str, str]:
        return {name: step.label for name, step in self.steps.items()}

    def step(self, action: str) -> Step:
        try:
            return self.steps[action]
        except KeyError:
            raise Invalid(f"未知操作：{action}", code=f"{self.area}.unknown_action") from None

    def startable(self, obj: M) -> list[str]:
        """The actions whose table allows the row's current state (access not checked)."""
        state = obj.state  # type: ignore[attr-defined]
        return [name for name, step in self.steps.items() if state in step.sources]

    def check(self, obj: M, action: str) -> Step:
        """The step, if the row's state allows it; else `BadTransition`."""
        step = self.step(action)
        if obj.state not in step.sources:  # type: ignore[attr-defined]
            raise BadTransition(f"{self.noun(obj)} 当前状态为“{obj.get_state_display()}”，"  # type: ignore[attr-defined]
                                f"不能“{step.label}”", code=f"{self.area}.bad_transition")
        return step

    def apply(self, obj: M, action: str, *, actor: str, target: str | None = None,
              expected_version: int | None = None, changes: Mapping[str, Any] | None = None,
              data: Mapping[str, Any] | None = None, after: Callable[[M], None] | None = None) -> M:
        """Take one step: check the state, compare-and-set, `after(fresh)`, audit. Returns the fresh row.

        `expected_version` (from the screen the person acted on) makes a stale screen fail with `Conflict`
        instead of acting on a row that changed meanwhile. Locks: none before; the conditional UPDATE
        decides, then the audit head is locked until commit."""
        step = self.check(obj, action)
        to = target or step.target
        if to is None:
            raise ValueError(f"step {action!r} needs an explicit target")
        old_state = obj.state  # type: ignore[attr-defined]
        version = obj.version if expected_version is None else expected_version  # type: ignore[attr-defined]
        manager = self.model._default_manager
        with transaction.atomic():
            updated = manager.filter(pk=obj.pk, state=old_state, version=version).update(
                state=to, version=version + 1, **(changes or {}))
            if not updated:
                raise Conflict(f"{self.noun(obj)} 已被他人处理或已更新，请刷新后再操作",
                               code=f"{self.area}.conflict")
            fresh = manager.get(pk=obj.pk)
            if after is not None:
                after(fresh)
            do_append(at=clock.now(), actor=actor, action=f"{self.area}.{action}", subject=self.subject(fresh),
                      data={"from": old_state, "to": to, "version": version + 1, **(data or {})})
        return fresh
