"""Deterministic generator of synthetic raw extracts for the Quảng Ninh open-data portal."""
