"""Breach handling (违约处理, R§43): a notice, the institution's statement (陈述、申辩) or the
lapse of its period, then the decision; each written to the credit record."""
