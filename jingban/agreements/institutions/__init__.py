"""Service institutions (社会保险服务机构, R§61), their departments, price lists, agreements and
evaluations, and the lifecycle acts from application to renewal."""
