"""A run's bookkeeping: its size estimated up front, its provenance recorded."""
