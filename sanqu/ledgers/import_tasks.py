"""The task that checks or commits a ledger uploaded on the page (run by `sanqu serve`'s worker)."""

from __future__ import annotations

from django.tasks import task

from sanqu.ledgers.import_services import run_import


@task
def run_ledger_import(import_id: int) -> str:
    """Run one queued import (a preview or a commit); returns its status (done or failed)."""
    entry = run_import(import_id)
    return entry.status if entry is not None else "skipped"
