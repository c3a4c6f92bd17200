"""Performance baselines run by `python -m newsflow_tools.bench` (not collected by pytest)."""
