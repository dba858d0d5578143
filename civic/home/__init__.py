"""The home page: what is open now, the next meetings and the latest results, for everyone."""
