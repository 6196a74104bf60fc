"""Experiments: runs, replications, comparisons, sweeps, analysis and outputs."""
