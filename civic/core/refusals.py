"""One shape for "the rules do not allow this": a code that the views turn into a message in
the person's language. Each feature subclasses it, so views catch their own kind."""

from __future__ import annotations


class Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
