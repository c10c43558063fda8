"""Kreis Bergstraße's catchment policy: every client is invited to the office offices.csv assigns."""

from __future__ import annotations

import pytest

from sim.config import ConfigError
from sim.model import build_world
from sim.model.simulation import Simulation
from tests.conftest import load


def test_every_bergstrasse_client_is_booked_at_the_office_its_municipality_belongs_to():
    world = build_world(load("scenario=bergstrasse", "horizon_days=90", "warmup_days=14").config)
    region = world.region
    office_of = {}
    for office in region.offices:
        site = next(i for i, s in enumerate(world.sites) if s.municipality == office.municipality)
        for m in (office.municipality, *office.catchment):
            office_of[m] = site
    assert sorted(office_of) == list(range(len(region.names)))  # offices.csv covers all 22 municipalities
    simulation = Simulation(world, 1, 0)
    booked_at = []
    book = simulation.appointments.book

    def recording_book(client: int, today: int) -> None:
        book(client, today)
        if simulation.appointments.booking[client] is not None:
            booked_at.append((simulation.caseload.municipality[client], simulation.appointments.booking[client][0]))

    simulation.appointments.book = recording_book
    simulation.run()
    assert len(booked_at) > 5000
    wrong = [(m, site) for m, site in booked_at if site != office_of[m]]
    assert not wrong, wrong[:5]
    # the nearest office is another one for some municipalities: the policy, not geography, decides
    nearest = {
        m: min(
            (i for i, s in enumerate(world.sites) if s.kind == "office"),
            key=lambda i: world.client_travel_min[i, m, 1],
        )
        for m in range(len(region.names))
    }
    assert any(nearest[m] != office_of[m] for m in nearest)


def test_without_catchment_policy_clients_go_to_the_nearest_office():
    world = build_world(load("scenario=bergstrasse", "booking.policy=local").config)
    for m in range(len(world.region.names)):
        (site, _), *_ = world.candidates[m][1][0]
        offices = [i for i, s in enumerate(world.sites) if s.kind == "office"]
        assert site == min(offices, key=lambda i: world.client_travel_min[i, m, 1])


def test_the_catchment_policy_needs_a_district_with_catchments():
    with pytest.raises(ConfigError) as error:
        load("scenario=wartburgkreis", "booking.policy=catchment")
    assert "booking.policy=catchment needs the district's offices with their catchments" in str(error.value)
