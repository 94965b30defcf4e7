"""Benefits, one sub-package per sub-domain (docs/ARCHITECTURE.md): ``common`` (awards,
payments, shared rules), ``recovery``, ``payroll``, ``stops``, ``verification``, and one folder
per benefit kind (``pension``, ``survivor``)."""
