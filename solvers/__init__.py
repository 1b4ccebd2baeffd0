"""Choosing levers: the plan, its prices, the surrogate, the CP-SAT model and the loop.

``plan`` (the Plan type), ``costs`` (the one price list), ``surrogate``, ``allocation``
(the CP-SAT model, one helper per constraint group), ``explain`` (infeasibility in a
planner's terms), ``loop`` (optimise, verify in the simulation, recalibrate) and
``records`` (what an optimisation writes).  Solvers use ``model``; no ``CpModel`` leaves.
"""
