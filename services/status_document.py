"""The status document: `ledgerbot status --json` and the HTTP API's GET /api/v1/status."""

from __future__ import annotations

from typing import Any

from ledger.status import EntryView, UnitStatus
from ledger.vocab import UnitRole
from services.status import PeriodStatus


def status_json(result: PeriodStatus) -> dict[str, Any]:
    """The JSON of `ledgerbot status --json` (and the HTTP API's status document)."""
    if not result.covered:
        return {"period": result.period.key, "plans": [], "units": []}
    return {
        "period": result.period.key,
        "plans": [{"code": p.code, "title": p.title} for p in result.plans],
        "units": [
            {
                "unit": u.unit,
                "owed": u.owed,
                "submitted": u.submitted,
                "support_owed": u.support_owed,
                "support_submitted": u.support_submitted,
                "contacts": u.contacts,
                "principal": u.principal,
                "entries": [_entry(e, u) for e in u.entries],
            }
            for u in result.units
        ],
    }


def _entry(e: EntryView, unit: UnitStatus) -> dict[str, Any]:
    owed = next((o for o in unit.obligations if o.task_id == e.task_id), None)
    late = owed.late if owed is not None and owed.counted else e.late
    return {
        "task": e.task_number,
        "plan": e.plan_code,
        "status": e.status.value,
        "text": e.text,
        "submitted_at": e.submitted_at.isoformat() if e.submitted_at else "",
        "late": late,
        "approved": e.approved,
        "role": (owed.role if owed is not None else UnitRole.LEAD).value,
    }
