"""The benchmark suite: `make bench` (not part of `make test`)."""
