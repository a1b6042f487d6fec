"""kefu benchmarks: realistic data at scale, figures written to docs/benchmarks.md."""
