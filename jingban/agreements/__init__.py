"""Service agreements (服务协议, R§33, R§43, R§61): the institutions the agency contracts with,
their agreements and price lists (``institutions``) and the handling of a breach
(``breaches``)."""
