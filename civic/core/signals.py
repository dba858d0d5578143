"""Named events: one feature says what happened, the features that care act on it.

A sender does not import its receivers, so features stay out of each other's imports (the
import-linter contracts in pyproject.toml hold it). Receivers run inside the sender's
transaction, with the sender's session, so what they write commits or rolls back with it.
Each signal's sender is the name of the feature that sends it; the keyword arguments are
listed beside it. docs/architecture.md lists who sends and who receives each.
"""

from __future__ import annotations

from blinker import Namespace

_events = Namespace()

# Projects of a call were funded (a vote's results published, a campaign succeeded, a grant
# ranking decided or a reserve moved up). Keywords: session, call_id, now.
projects_funded = _events.signal("projects-funded")

# A funding decision was taken back (a grant revoked or renounced). Keywords: session,
# source ("budget", "campaign" or "grant"), source_id, reason, now.
funding_withdrawn = _events.signal("funding-withdrawn")

# A person signed in with an identity the city's SPID/CIE broker vouches for (their fiscal
# number is known). Keywords: session, person, now.
identity_confirmed = _events.signal("identity-confirmed")

# A vote's count was made public. Keywords: session, call_id, now.
ballot_count_published = _events.signal("ballot-count-published")
