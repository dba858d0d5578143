"""Public pages: home, accessibility statement, privacy notice, language."""
