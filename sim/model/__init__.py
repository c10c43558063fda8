"""The SimPy model of outreach counselling: how its processes fit together.

A scenario is first prepared as a `World` (world.py): its open sites with their session days,
travel times between municipalities, the sites each kind of client may be invited to (nearest
first by the client's own travel time), and the staff plan (staff.py): each office's
counsellors net of leave, with time blocked for outreach duty and meetings.

A replication (simulation.py) runs a kernel and its components on one SimPy clock:

- the kernel: the caseload (caseload.py: every client's state and pre-drawn numbers), the
  appointment book (booking.py: each site's slots, the desk's booking rule, one cancel path)
  and the monitor (sim.kpi.monitor), which counts KPIs on the fly;
- the *contact cycle* (contacts.py): the desk wakes every morning, replaces clients who left
  the caseload and books every contact that fell due; a booked client's outcome (attendance.py)
  decides the next step: kept -> next contact one interval later; no-show -> re-invitation, and
  after K in a row the client counts as lost and is tried again after a quarter;
- the *sites* (sites.py): each office and room holds its sessions in turn; counsellors off sick
  cancel their slots (the clients are rebooked), the rest serve one queue (sessions.py) fed by
  booked clients at their slot times and by Poisson walk-ins;
- the *vehicles* (vehicles.py): each mobile office drives its tour, holds its stops' sessions
  while it stands there, breaks down now and then (its sessions are cancelled, clients rebooked);
- the *meetings* (staff.py): each office's weekly team meeting, blocked time of its staff;
- the *courses* (courses.py): group courses that invite a target group, meet weekly with blocked
  staff, lose those who miss too often and give those who complete a measure;
- the *case conferences* (conferences.py): project teams that review cases weekly, interview
  them and agree measures; a measure raises the client's hazard of leaving for work
  (contacts.py `measure_taken`).

Components talk through the kernel's state. All randomness is pre-drawn per client and per site
from named streams (streams.py), sampled by distribution name (distributions.py): common random
numbers across scenarios.
"""

from sim.kpi.monitor import RunResult
from sim.model.simulation import Simulation
from sim.model.world import World, build_world


def simulate(
    world: World, seed: int, replication: int, trace: list | None = None, events: list | None = None
) -> RunResult:
    """Run one replication of a prepared scenario (`trace` and `events` collect what the checks read)."""
    return Simulation(world, seed, replication, trace, events).run()


__all__ = ["World", "build_world", "simulate", "RunResult"]
