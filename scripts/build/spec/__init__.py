"""Phase 1: the manifest and the specs, read and checked before anything else."""
