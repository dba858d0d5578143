"""Grants for La Scuola dei Quartieri: applications, formal check, jury scoring, ranking."""
