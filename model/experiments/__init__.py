"""Many replications: executors, intervals, comparisons, sweeps, sensitivity, calibration."""
