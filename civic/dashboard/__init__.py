"""The transparency dashboard: what was proposed, voted, crowdfunded and granted, by Municipio."""
