"""Participatory-budget voting: ballots, the secret roll, and tally rules."""
