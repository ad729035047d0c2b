"""`make bench`: speed goals as ratios against a floor measured in the same run.

Each `bench/bench_*.py` module has `run() -> None`, builds its data in a throwaway test
database (never the dev catalog) and prints its own figures.
"""
