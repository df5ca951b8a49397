"""Writers that emit world samples in the release formats of the five benchmarks."""
