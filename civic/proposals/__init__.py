"""Proposals in a call: submission, revisions, supports, comments, moderation, review."""
