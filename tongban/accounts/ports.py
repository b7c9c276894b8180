"""The enterprise registry port: is this credit code this enterprise, with this legal representative?

Offline we cannot ask the market-regulation registry (国家企业信用信息公示系统 / 市场监管部门的
登记库), so the default, `self_declared`, accepts what passed the checksums: the binding of a resident to
an enterprise is the resident's own declaration. A real deployment names a function that asks the
registry in the setting `TONGBAN_ENTERPRISE_REGISTRY` (a dotted path); it raises `core.errors.Invalid`
(code `accounts.enterprise_unknown`) or `Unavailable` when the registry does not confirm.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

Registry = Callable[..., None]


def self_declared(*, credit_code: str, name: str, legal_representative_id: str) -> None:
    """Accept: the checksums passed and the resident declared the binding (docs/citizens.md)."""


def enterprise_registry() -> Registry:
    """The function named by `TONGBAN_ENTERPRISE_REGISTRY` (read on each call, so tests may override it)."""
    path = getattr(settings, "TONGBAN_ENTERPRISE_REGISTRY", "tongban.accounts.ports.self_declared")
    found: Registry = import_string(path)
    return found
