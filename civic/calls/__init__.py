"""Calls ("bandi"): what the city runs, its themes, areas, budgets, documents and phases."""
