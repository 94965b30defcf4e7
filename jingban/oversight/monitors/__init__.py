"""Anomaly monitors (异常监测, Z-5(3)(4), Z-11(7), R§42): set-based checks over payments,
enrollments and contributions whose hits become inspectors' tasks."""
