"""Jingban (经办): social insurance administration system."""

__version__ = "0.1.0"
