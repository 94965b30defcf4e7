"""Report rules by hand: the due day (also in the years the suite may run in), the states, the
average expenditure and the months of benefits held against the reserve threshold."""

from __future__ import annotations

import datetime as dt

from jingban.funds.ledger.rules import reserve_months
from jingban.funds.reports import rules

D = dt.date


def test_due_day_is_the_15th_of_the_next_month():
    assert rules.due_on(202610, 15) == D(2026, 11, 15)
    assert rules.due_on(202612, 15) == D(2027, 1, 15)  # December's report in the next year
    assert rules.due_on(202701, 15) == D(2027, 2, 15)
    assert rules.due_on(203005, 15) == D(2030, 6, 15)
    assert rules.due_on(202701, 31) == D(2027, 2, 28)  # a due day beyond the month's end


def test_states_against_the_due_day():
    due = D(2027, 1, 15)
    assert rules.state(202612, D(2026, 12, 31), due, None) == "open"
    assert rules.state(202612, D(2027, 1, 1), due, None) == "due"
    assert rules.state(202612, D(2027, 1, 15), due, None) == "due"
    assert rules.state(202612, D(2027, 1, 16), due, None) == "overdue"
    assert rules.state(202612, D(2027, 2, 10), due, D(2027, 1, 15)) == "filed"
    assert rules.state(202612, D(2030, 6, 30), due, D(2027, 1, 16)) == "late"


def test_periods_around_the_year_end():
    assert rules.next_period(202612) == 202701 and rules.previous_period(202701) == 202612
    assert rules.months_up_to(202702, 4) == [202611, 202612, 202701, 202702]
    assert rules.last_ended_period(D(2027, 2, 10)) == 202701
    assert rules.last_ended_period(D(2030, 6, 30)) == 203005
    assert not rules.year_ended(2026, D(2026, 12, 31)) and rules.year_ended(2026, D(2027, 1, 1))


def test_average_expense_counts_months_that_spent():
    spent = {202601: 1000, 202602: 0, 202603: 2001, 202512: 99999}
    # 202512 is outside the 3 months up to 202603; February spent nothing: (1000 + 2001) // 2
    assert rules.average_expense(spent, 202603, 3) == 1500
    assert rules.average_expense(spent, 202512, 12) == 99999
    assert rules.average_expense({}, 202603) == 0


def test_reserve_months_and_the_threshold():
    assert reserve_months(72500, 30000) == 72500 / 30000
    assert rules.below_reserve(reserve_months(72500, 30000), 3)   # 2.42 months: flagged
    assert not rules.below_reserve(reserve_months(90000, 30000), 3)  # exactly 3: enough
    assert reserve_months(100, 0) is None and not rules.below_reserve(None, 3)
