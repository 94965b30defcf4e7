"""Notices: what the agency tells a person or unit (in the portal, by SMS), below every area."""
