"""The task that writes a results report asked for on the page (run by `sanqu serve`'s worker)."""

from __future__ import annotations

from django.tasks import task

from sanqu.figures.report_services import run_report


@task
def generate_report(report_id: int) -> str:
    """Generate one queued report; returns its status (done or failed)."""
    report = run_report(report_id)
    return report.status if report is not None else "skipped"
