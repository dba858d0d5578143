"""Shared kernel: database, time, money, errors, audit log, outbox."""
