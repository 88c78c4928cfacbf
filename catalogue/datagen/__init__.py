"""Synthetic catalogue generation (generate_data) and the benchmark suite (bench)."""
