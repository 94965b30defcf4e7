"""What benefit acts share for the case engine: the subject of a result about a person."""

from __future__ import annotations


def about_person(result) -> str:
    """``person:<id>`` of an act's result that names its person (an award, a report…)."""
    return f"person:{result.person_id}"
