"""The SimPy model of outreach counselling: how its processes fit together.

A scenario is first prepared as a `World` (world.py): its open sites with their session days,
travel times between municipalities, the sites each kind of client may be invited to (nearest
first by the client's own travel time) and the counsellors each office has on each day.

A replication (simulation.py) then runs three kinds of process on one SimPy clock:

- the *booking desk* wakes every morning; clients who left the caseload are replaced by
  newcomers (clients.py), and on working days every contact that fell due is booked
  (booking.py) into the earliest free slot after the notice period at the nearest site that has
  one within `booking.max_lead_days`;
- each *site* holds its sessions in turn: counsellors off sick cancel their slots (the clients
  are rebooked), the rest serve one queue (sessions.py) fed by booked clients arriving at their
  slot times and by Poisson walk-ins;
- a booked client's *outcome* (behaviour.py) decides the next step of the contact cycle: kept
  -> next contact one interval later; no-show -> re-invitation, and after K in a row the client
  counts as lost and is tried again after `booking.lost_recontact_days`.

Processes talk through shared state (the appointment book, the clients' arrays) and report to
`sim.metrics.Metrics`, which accumulates KPIs on the fly. All randomness is pre-drawn per client
and per site from named streams (sim.rng): common random numbers across scenarios.
"""

from sim.kpi.monitor import RunResult
from sim.model.simulation import Simulation
from sim.model.world import World, build_world


def simulate(world: World, seed: int, replication: int, trace: list | None = None) -> RunResult:
    """Run one replication of a prepared scenario."""
    return Simulation(world, seed, replication, trace).run()


__all__ = ["World", "build_world", "simulate", "RunResult"]
