"""Serving a release: `make serve`, the restricted tier's tokens, replicas behind nginx."""
