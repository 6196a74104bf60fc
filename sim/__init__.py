"""policesim: an agent-based model of a rural policing reform (station-centred vs center office)."""

__version__ = "0.1.0"
