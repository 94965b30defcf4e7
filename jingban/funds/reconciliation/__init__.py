"""Reconciliation (对账, Z-10(1)3: 账账相符、账款相符): bank and collector statements matched
line by line against the ledger."""
