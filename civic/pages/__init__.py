"""Public pages: accessibility statement, privacy notice, ballot secrecy, language."""
