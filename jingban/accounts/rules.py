"""Portal account activation rules (门户账户激活): how long a code lives, how often one is
sent, how many wrong tries a code allows, and how a phone number is compared."""

from __future__ import annotations

import re

CODE_SECONDS = 600  # a code (and the ticket that holds its hash) is valid for ten minutes
MAX_CODES = 3  # codes sent to one person within CODE_SECONDS
MAX_ATTEMPTS = 5  # wrong codes allowed on one ticket
CODE_DIGITS = 6


def phone_digits(phone: str) -> str:
    """The digits of a mainland mobile number, without a +86 / 86 prefix."""
    digits = re.sub(r"\D", "", phone or "")
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


def same_phone(registered: str | None, given: str) -> bool:
    mine = phone_digits(registered or "")
    return bool(mine) and mine == phone_digits(given)
