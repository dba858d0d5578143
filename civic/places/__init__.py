"""The city's places: Municipi and, below them, NIL."""
