"""Open data: public datasets as CSV and JSON, their catalogue, and the read-only JSON API."""
