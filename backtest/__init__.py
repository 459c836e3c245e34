"""Backtests of the nightly selection policy: past nights replayed, policies measured side by side."""
