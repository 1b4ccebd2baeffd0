"""Optimisers that choose the levers, and the simulation-optimisation loop."""
