"""Crash points for the kill -9 drills (issue 15 item 4).

A batch job calls ``point("<job>.<step>")`` at a known place inside a transaction it has not
committed yet. With ``JINGBAN_CRASH_AT=<job>.<step>:<n>`` in the environment the process kills
itself with SIGKILL the n-th time it gets there — no cleanup, no rollback, no flush of anything:
what a power cut or the OOM killer does. Without the variable (always, outside the drills) a
point costs one dictionary lookup. The drills (tests/secops/test_crash.py) run the job in a
child process with the variable set, run it again without, and compare the outcome with an
uninterrupted run.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ENV = "JINGBAN_CRASH_AT"
_hits: Counter[str] = Counter()


def point(name: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    where, _, count = spec.partition(":")
    if where != name:
        return
    _hits[name] += 1
    if _hits[name] >= int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)
