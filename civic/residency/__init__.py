"""Verified residency: who lives in which Municipio, and since when they may vote."""
