"""Accounts: registration, sign-in, profile, personal data, roles."""
