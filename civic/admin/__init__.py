"""Admin screens: people, roles and the audit log."""
