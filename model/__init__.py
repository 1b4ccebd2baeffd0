"""The tip-off pipeline: scenario schema, simulation, replications and results."""
