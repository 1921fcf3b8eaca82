"""Hot issues: incremental story clustering, labels and trending."""
