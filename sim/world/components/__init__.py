"""Reform components, one small strategy per file; :class:`~sim.world.policies.Policy` composes.

* :mod:`~sim.world.components.staffing`: who is posted where (station, center offices,
  villages), in which duty regime, to take which jobs.
* :mod:`~sim.world.components.duty`: duty regimes (station roster, day shifts, resident duty
  with on-call and center turns, leave).
* :mod:`~sim.world.components.eligibility`: the job kinds of each post and its zone.
* :mod:`~sim.world.components.dispatch_rules`: the written dispatch rule (nearest, named
  tie-break, officer required).
* :mod:`~sim.world.components.discovery`: resident auxiliaries, smart alerts, screening rounds.
* :mod:`~sim.world.components.mediation`: mediation skills by role, joint referral.
* :mod:`~sim.world.components.community_work`: dedicated community officers' own work.
"""
