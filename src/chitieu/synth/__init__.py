"""A synthetic national dataset, for proving chitieu at scale."""
