"""Benchmarks (``make bench``): each module compares our path with a baseline in the
same run and prints ratios, not absolute times. Not part of the test suite."""
