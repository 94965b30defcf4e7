"""What one medical bill is to the pooled fund, and the split parameters it takes (R§20;
《社会保险法》第二十八条; 国办发〔2021〕14号 第二条) — the one choice the direct settlement with an
institution (agreements.claims.settlement) and the manual reimbursement (手工报销, service.assess)
both make, bill by bill, through ``split_bill``:

- an admission (住院): the fund's inpatient parameters, policy medical.split.* (deductible per
  admission, share, annual cap);
- an outpatient visit for a chronic or special disease recognised for the person on its date
  (门诊慢特病): medical.chronic.* (a yearly deductible and its own share, the same annual cap);
- any other outpatient visit: the region's general outpatient pooling (门诊统筹,
  medical.outpatient.pooling: yearly deductible, share and yearly limit), or wholly the person's
  where the region has none;
- the maternity and injury funds: their own medical.split.* whatever the visit.

The yearly deductibles and the pooling's limit count what the person bore and was paid this
year in both channels (``borne_of``: manual claims and settled direct claims).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.agreements.claims import split
from jingban.agreements.claims.models import Claim
from jingban.benefits.medical import rules
from jingban.benefits.medical.models import ChronicRecognition, ManualClaim
from jingban.core import agency


@dataclass
class Borne:
    """The person's year so far under the yearly outpatient deductibles: the chronic deductible
    borne, the pooling deductible borne and what the fund paid under the pooling."""

    chronic: int = 0
    outpatient: int = 0
    outpatient_paid: int = 0

    def add(self, kind: str, result: split.Split) -> None:
        """Move the year on by one bill's split."""
        if kind == "chronic":
            self.chronic += result.deductible_fen
        elif kind == "outpatient":
            self.outpatient += result.deductible_fen
            self.outpatient_paid += result.fund_fen


@dataclass(frozen=True)
class Choice:
    kind: str  # rules.COVERAGE key
    params: split.Params
    already: int  # of the yearly deductible (chronic or pooling), borne earlier this year


def recognised(db: Session, person_id: int, day: dt.date) -> set[str]:
    """The chronic and special diseases recognised for the person in force on ``day``: inside
    the validity and before the day an end (撤销、终止) takes effect."""
    return set(db.execute(select(ChronicRecognition.disease).where(
        ChronicRecognition.person_id == person_id, ChronicRecognition.valid_from <= day,
        ChronicRecognition.valid_to >= day,
        ChronicRecognition.ended_from.is_(None) | (ChronicRecognition.ended_from > day))).scalars())


def borne_of(db: Session, fund: str, person_id: int, year: int, *,
             except_claims: frozenset[int] = frozenset()) -> Borne:
    """The person's ``Borne`` this year in earlier manual claims and settled direct claims
    (``except_claims``: direct claims being split again are not their own earlier bills)."""
    found = Borne()
    for chronic, bills in db.execute(select(ManualClaim.chronic_deductible_fen, ManualClaim.bills).where(
            ManualClaim.person_id == person_id, ManualClaim.fund == fund, ManualClaim.year == year)):
        found.chronic += int(chronic or 0)
        for bill in json.loads(bills):
            if bill["coverage"] == "outpatient":
                found.outpatient += bill["split"]["deductible_fen"]
                found.outpatient_paid += bill["split"]["fund_fen"]
    rows = db.execute(select(Claim.id, Claim.split).where(
        Claim.person_id == person_id, Claim.fund == fund, Claim.status == "settled",
        Claim.discharge_on >= dt.date(year, 1, 1), Claim.discharge_on <= dt.date(year, 12, 31)))
    for claim_id, text in rows:
        stored = json.loads(text) if text and claim_id not in except_claims else {}
        if stored.get("coverage") in ("chronic", "outpatient"):
            found.add(stored["coverage"], split.Split(**{k: int(stored[k]) for k in (
                "total_fen", "out_of_scope_fen", "first_self_pay_fen", "in_policy_fen",
                "deductible_fen", "co_pay_fen", "over_cap_fen", "fund_fen", "person_fen")}))
    return found


def choose(db: Session, person_id: int, fund: str, inpatient: bool, diagnosis: str, day: dt.date,
           ytd: int, borne: Borne) -> Choice:
    """The coverage of a bill on its date and its split parameters (see the module text)."""
    params = split.params_of(lambda name: agency.param(db, name, day), fund)
    if fund not in rules.INSURANCES:
        return Choice("inpatient", params, 0)
    pooling = agency.param(db, "medical.outpatient.pooling", day).get(fund)
    kind = rules.coverage(inpatient, diagnosis, recognised(db, person_id, day), pooling is not None)
    if kind == "chronic":
        return Choice(kind, rules.chronic_params(
            params, int(agency.param(db, "medical.chronic.deductible_fen", day)[fund]),
            int(agency.param(db, "medical.chronic.fund_share_bp", day)[fund])), borne.chronic)
    if kind == "outpatient":
        return Choice(kind, rules.pooling_params(params, pooling, ytd, borne.outpatient_paid),
                      borne.outpatient)
    return Choice(kind, params, 0)


def split_bill(db: Session, person_id: int, fund: str, inpatient: bool, diagnosis: str,
               day: dt.date, lines: Sequence[split.BillLine], ytd: int,
               borne: Borne) -> tuple[str, split.Split]:
    """The split of one bill (an admission or a visit) by its coverage, against the fund's
    payments to the person this year (``ytd``); ``borne`` is moved on by it."""
    found = choose(db, person_id, fund, inpatient, diagnosis, day, ytd, borne)
    covered = rules.bill_lines([(x.amount_fen, x.category, x.self_pay_bp) for x in lines],
                               found.kind in rules.COVERED)
    result = split.split(covered, found.params, ytd, found.already)
    borne.add(found.kind, result)
    return found.kind, result
