"""Presentation: text tables, plots, reports and the classroom demo."""
