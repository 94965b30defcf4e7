"""The application's wiring: what the areas tell the layers below them, done once at start-up.

The case engine, records and transfers know nothing of the areas built on them; each area
declares what it offers (its acts in ``acts.py``, a hook where a lower area asks a question)
and this module — at the top, beside the routers in ``jingban.api`` — hands them down.
``install`` is called by ``create_app``, the CLI callback (so ``jingban demo`` too) and the test
conftest; calling it again does nothing.
"""

from __future__ import annotations

from jingban.agreements import acts as agreements_acts  # agreements
from jingban.agreements.breaches import service as agreement_breaches  # agreements
from jingban.agreements.claims import settlement as claims_settlement  # medmat
from jingban.benefits.injury import acts as injury_acts  # injury
from jingban.benefits.injury import service as injury  # injury
from jingban.benefits.maternity import acts as maternity_acts  # medmat
from jingban.benefits.medical import acts as medical_acts  # medmat
from jingban.benefits.medical import coverage as medical_coverage  # benfix
from jingban.benefits.medical import service as medical  # medmat
from jingban.benefits.payroll import batch as payroll
from jingban.benefits.pension import acts as pension_acts
from jingban.benefits.pension import service as pension
from jingban.benefits.recovery import acts as recovery_acts
from jingban.benefits.recovery import service as recovery
from jingban.benefits.stops import acts as stop_acts
from jingban.benefits.stops import service as stops
from jingban.benefits.survivor import acts as survivor_acts
from jingban.benefits.unemployment import acts as unemployment_acts  # unemployment
from jingban.benefits.unemployment import batch as unemployment_batch  # unemployment
from jingban.benefits.unemployment import service as unemployment  # unemployment
from jingban.benefits.verification import acts as verification_acts
from jingban.benefits.verification import service as verification
from jingban.cases import acts, objection, parties
from jingban.cases import service as cases
from jingban.core import agency
from jingban.enrollment import batch as enrollment_batch  # enrollfin
from jingban.funds import acts as funds_acts
from jingban.funds.ledger import service as ledger
from jingban.oversight.complaints import service as complaints  # oversight-complaints
from jingban.oversight.dishonesty import acts as dishonesty_acts
from jingban.oversight.dishonesty import service as dishonesty
from jingban.oversight.inspections import acts as inspection_acts
from jingban.oversight.inspections import service as inspections
from jingban.oversight.monitors import batch as monitors
from jingban.oversight.monitors import rules as monitor_rules
from jingban.oversight.penalties import acts as penalty_acts
from jingban.oversight.penalties import service as penalties
from jingban.records import acts as records_acts
from jingban.records import service as records
from jingban.registration import acts as registration_acts
from jingban.registration import service as registration  # unemployment
from jingban.transfers import acts as transfer_acts
from jingban.transfers import rules as transfer_rules
from jingban.transfers import service as transfers

# Every area's acts, in the order the areas build on each other.
ACTS = (*objection.ACTS, *registration_acts.ACTS, *records_acts.ACTS, *transfer_acts.ACTS,
        *pension_acts.ACTS, *stop_acts.ACTS, *recovery_acts.ACTS, *verification_acts.ACTS,
        *survivor_acts.ACTS, *funds_acts.ACTS)
ACTS += dishonesty_acts.ACTS  # oversight-dishonesty
ACTS += (*inspection_acts.ACTS, *penalty_acts.ACTS)  # oversight: inspections and penalties
ACTS += agreements_acts.ACTS  # agreements
ACTS += unemployment_acts.ACTS  # unemployment
ACTS += injury_acts.ACTS  # injury
ACTS += (*medical_acts.ACTS, *maternity_acts.ACTS)  # medmat

_installed = False


def _shared_deaths():
    """Deaths other departments shared (benefits.stops keeps them), for the death monitor."""
    from sqlalchemy import select

    from jingban.benefits.stops.models import SharedFact

    return (select(SharedFact.ssn.label("ssn"), SharedFact.fact_date.label("died"))
            .where(SharedFact.kind.in_(monitor_rules.DEATH_REASONS)))


def install() -> None:
    """Register every area's acts and hooks (idempotent)."""
    global _installed
    if _installed:
        return
    acts.register(*ACTS)
    parties.use(registration_acts.DIRECTORY)
    records.use_transfers(transfers.transfer_lines, transfer_rules.KINDS)
    transfers.use_pension_check(pension.receives_pension)
    stops.on_resumed(verification.close_hits)
    for area, redate in (("cases", cases.redate_provisional), ("recovery", recovery.redate_provisional),
                         ("stops", stops.redate_provisional),
                         ("transfers", transfers.redate_provisional),
                         ("verification", verification.redate_provisional)):
        agency.use_redater(area, redate)
    agency.use_redater("dishonesty", dishonesty.redate_provisional)  # oversight-dishonesty
    agency.use_redater("oversight_inspections", inspections.redate_provisional)
    agency.use_redater("oversight_penalties", penalties.redate_provisional)
    # The funds back-fill (issue 10): what each area wrote before the ledger existed.
    for name, book_all in (("contributions", records.book_all_contributions),
                           ("payroll", payroll.book_all_payroll),
                           ("repayments", recovery.book_all_repayments),
                           ("transfers", transfers.book_all_movements)):
        ledger.use_source(name, book_all)
    # The funds gaps: resident subsidies and contribution corrections written before they were booked.
    ledger.use_source("subsidies", records.book_all_subsidies)
    ledger.use_source("contribution_reversals", records.book_all_reversals)
    # oversight-complaints (issue 12): the complaint limits re-dated with the case clocks
    agency.use_redater("complaints", complaints.redate_provisional)
    # The death monitor also reads the deaths other departments shared (issue 12 item 3).
    monitors.use_death_source("shared_facts", _shared_deaths)
    # unemployment (issue 11): the fund's medical premiums with the payroll; a new employment stops it
    payroll.on_range_paid(unemployment_batch.write_premiums)  # unemployment
    payroll.on_run_finished(unemployment_batch.book_premiums)  # unemployment
    registration.on_enrolled(unemployment.stop_on_enrollment)  # unemployment
    pension.on_awarded(unemployment.stop_on_pension)  # unemployment
    pension.on_awarded(injury.on_pension)  # injury: 第三十五条第二款
    transfers.use_unemployment_entitlement(unemployment.remaining_entitlement)  # unemployment
    transfers.use_unemployment_stop(unemployment.stop_on_transfer)  # agrfin
    agency.use_redater("service_agreements", agreement_breaches.redate_provisional)  # agreements
    claims_settlement.count_year_paid(medical.year_paid)  # medmat: one annual cap with manual claims
    claims_settlement.use_coverage(medical_coverage.split_bill, medical_coverage.borne_of)  # benfix
    registration.on_person_changed(enrollment_batch.follow_person)  # enrollfin
    _installed = True
from jingban.agreements.claims import acts as claims_acts  # noqa: E402  # claims

ACTS += claims_acts.ACTS  # claims: the monthly settlement and the objection to cut lines
