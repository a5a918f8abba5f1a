"""Phase 5: the release written (SQLite, metadata, catalogue, history) and switched in."""
