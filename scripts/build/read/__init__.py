"""Phase 2: delivered files opened safely, read as text and checked against their spec."""
