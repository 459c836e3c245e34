"""Test worlds: one writer (`write`) and the contract data directories tests share."""
