"""Render result tables into files a planner reads; never runs a simulation."""
