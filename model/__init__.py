"""What is simulated and how runs are made.

``scenario`` (the schema) and ``loading`` (YAML files); ``metrics`` (the outcome
catalogue) and ``levers`` (typed levers); ``engine/`` (one replication); ``experiments/``
(many replications: comparisons, sweeps, sensitivity, calibration, validation); ``runs/``
(a run's size, provenance and record).  Nothing here imports ``solvers`` or ``reports``.
"""
