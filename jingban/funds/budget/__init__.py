"""基金预算: the budget draft per fund for next year, its review and its execution (R§39)."""
