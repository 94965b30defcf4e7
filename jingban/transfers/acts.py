"""Transfer acts for the case engine: one per TRF-* item, each for the kinds it covers."""

from __future__ import annotations

from jingban.cases.acts import Act
from jingban.transfers import service
from jingban.transfers.schemas import TransferApply


def _about_person(transfer) -> str:
    return f"person:{transfer.person_id}"


def _act(code: str, kinds: set[str], direction: str | None = None) -> Act:
    return Act(code, "ssn", TransferApply, service.act_for(kinds, direction), _about_person)


ACTS = (
    _act("transfers.apply_pension", {"pension_enterprise"}),
    _act("transfers.apply_pension_cross", {"pension_cross", "pension_resident"}),
    _act("transfers.apply_medical", {"medical_employee"}),
    _act("transfers.apply_unemployment_in", {"unemployment"}, "in"),
    _act("transfers.apply_unemployment_out", {"unemployment"}, "out"),
)
