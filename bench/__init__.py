"""Benchmarks of the model: ``python -m bench [--quick]``.

Each figure is measured against a reference in the same run (a ratio), so that
the load other work puts on the machine cancels as much as it can.  Timings
live here only, never as assertions in the test suite.
"""
