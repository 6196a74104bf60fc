"""The model world: geography, residents, disputes, responders, policies and the Mesa model.

Nothing here does file or network I/O; the experiment layer feeds it and reads its records.
"""
