"""Public hearings and presentation meetings: registration, agenda, speakers, minutes, calendars."""
