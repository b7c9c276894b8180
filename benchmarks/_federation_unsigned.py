"""Exists only for benchmarks/federation.py: run a node's processes with signing and verification as no-ops.

The benchmark's unsigned baseline. Nothing in tongban/ knows about it; the product has no switch for this.

    gunicorn tongban.wsgi:application -c benchmarks/_federation_unsigned.py …   # web: patched in each worker
    python benchmarks/_federation_unsigned.py federation worker …                 # `tongban …`, patched

`patch()` replaces `tongban.federation.keys.sign` (returns "") and `tongban.federation.trust.verify` (accepts
anything). Callers look both up on their module at call time (`keys.sign(…)`, `trust.verify(…)`), so messages
and receipts go out with an empty signature and are accepted unchecked; everything else (canonical JSON, body
digest, HTTP, database, ordering, receipts) runs unchanged.
"""
# ruff: noqa: E402 — benchmarks/calendar.py must leave sys.path before anything imports the stdlib `calendar`
import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import os


def patch() -> None:
    from tongban.federation import keys, trust

    keys.sign = lambda data: ""
    trust.verify = lambda node_id, data, signature: None
    print(f"benchmark: signing and verification are no-ops in pid {os.getpid()}", file=sys.stderr, flush=True)


def post_worker_init(worker) -> None:  # gunicorn server hook (this file is also the -c config)
    patch()


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()
    patch()
    from tongban.cli import main

    main()
