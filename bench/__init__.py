"""`make bench`: speed goals as ratios against a floor measured in the same run.

Each `bench/bench_*.py` module has `run(ctx: Context) -> list[str]` and prints its own figures.
"""
