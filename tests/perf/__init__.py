"""Performance baselines run by `python -m streams.bench` (not collected by pytest)."""
