"""Execution tracking ("accountability"): what became of each funded project, in public."""
