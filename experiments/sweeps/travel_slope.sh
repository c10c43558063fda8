#!/usr/bin/env bash
# The attendance model's least certain parameter: how much a minute of bus travel raises the odds
# of a no-show (0.0097 per minute from BMJ Qual Saf 2018; domain.md section 7 range 0-0.02). The
# Ruhla answer at 0, 0.0097 and 0.02 (the car slope stays at 0.0042), in parallel (joblib).
# About 5 minutes on 2 cores; extra overrides go last ("$@").
exec python -m sim.compare -m hydra/launcher=joblib experiment=ruhla_question \
  'attendance.travel_per_min_no_car=0,0.0097,0.02' replications=10 "$@"
