"""Benefit pages, one module per benefit sub-domain (as jingban.benefits)."""
