"""Result folders into files a planner reads; never runs a simulation or a solver.

``run_folder`` (the contract: file names, the atomic writer, every reader), ``formatting``
(numbers for people), ``pages`` and ``templates/`` (Jinja2 pages), ``figures/`` (charts),
one module per document (``run_report``, ``comparison_report``, ``validation_report``,
``sensitivity_report``, ``sweep_report``, ``proposal/``) and ``console`` (what a command
prints).  Of the model, reports read only ``model.metrics`` and ``model.levers``.
"""
