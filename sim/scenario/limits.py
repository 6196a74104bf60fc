"""Limits that tell a unit mistake or a wrong file from a study."""

#: Mesa builds one Python object per grid cell: about 850 bytes and 26 microseconds each
#: (measured for a 300 x 300 grid, Python 3.12, Mesa 3.5), so 2 million cells is ~1.7 GB and
#: ~1 minute before the first event. Assumption: a larger grid is a mistake (coordinates in
#: metres, a stray far-away village, thousands of townships), not a study.
MAX_GRID_CELLS = 2_000_000
#: Each block of casework is a job in the station's queue; assumption: more than this many per
#: criminal case is a unit mistake (minutes for hours), and it would stall the dispatcher.
MAX_CASEWORK_BLOCKS = 1000
#: Minutes per unit of the durations in the schema. Assumption: a nonzero duration under one
#: second is a unit mistake, and a vanishing one lets events repeat at one instant for ever
#: (an unreported fight relapses and escalates again after ~0 days).
_MINUTES = {"days": 1440.0, "h": 60.0, "min": 1.0}
MIN_DURATION_MIN = 1 / 60
#: A scenario file is a few kilobytes; anything this large is the wrong file.
MAX_SCENARIO_BYTES = 1_000_000
