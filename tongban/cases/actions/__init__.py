"""Case operations. `check_*` validate and check access; `do_*` write, inside one transaction,
with the audit entry of the change.

Every state change is a compare-and-set (`tongban.core.transitions.StateMachine`):
``UPDATE … WHERE id = ? AND state = ? AND version = ?``. When two officers act on the same case at
once, one update matches and wins; the other matches no row and gets `Conflict` (code ``case.conflict``)
— nothing of theirs is applied. Refusals are `tongban.core.errors` with ``case.*`` codes (docs/cases.md).

The families: `access` (who sees and does what), `receipt` (收件), `transitions` (the steps),
`extensions` (延期), `joint` (多地联办), `materials` (files, 电子证照, window scans, 网上补正); `common`
holds the step table. Import from here.
"""

from tongban.cases.actions.access import (
    RELATED,
    can_view,
    check_actor,
    is_admin_of,
    is_approver_of,
    is_bank_of,
    is_online_applicant,
    is_window_of,
    visible_cases,
)
from tongban.cases.actions.common import ACTION_LABELS, CLOCK_RUNNING, MACHINE, MAX_EXTENSION_DAYS, STEPS
from tongban.cases.actions.extensions import do_decide_extension, do_request_extension
from tongban.cases.actions.joint import do_complete_joint_task, joint_task_sent
from tongban.cases.actions.materials import (
    MaterialsMissing,
    Upload,
    can_scan,
    check_supplement,
    do_attach_scan,
    do_record_peer_supplement,
    do_supplement_online,
    elicence_offer,
    open_notice,
)
from tongban.cases.actions.receipt import Application, InvalidApplication, check_application, do_receive
from tongban.cases.actions.transitions import do_peer_transition, do_transition

__all__ = [
    "ACTION_LABELS", "CLOCK_RUNNING", "MACHINE", "MAX_EXTENSION_DAYS", "RELATED", "STEPS", "Application",
    "InvalidApplication", "MaterialsMissing", "Upload", "can_scan", "can_view", "check_actor", "check_application",
    "check_supplement", "do_attach_scan", "do_complete_joint_task", "do_decide_extension", "do_receive",
    "do_peer_transition", "do_record_peer_supplement", "do_request_extension", "do_supplement_online", "do_transition",
    "elicence_offer", "is_admin_of",
    "is_approver_of", "is_bank_of", "is_online_applicant", "is_window_of", "joint_task_sent", "open_notice",
    "visible_cases",
]
