#!/usr/bin/env bash
# How do the hard-to-reach's kept contacts, reach and waiting respond to how often Ruhla's room
# opens and how many counsellors it has? Today against Ruhla weekly / every 2 / every 4 weeks with
# 1 or 2 counsellors: 6 comparisons on common random numbers, in parallel (joblib). Writes
# summary.csv (paired differences per job), figures/sweep_*.png and the heatmap into
# results/compare-sweep/<time>/. About 10 minutes on 2 cores; extra overrides go last ("$@").
exec python -m sim.compare -m hydra/launcher=joblib experiment=ruhla_question \
  sites.ruhla.calendar.every_weeks=1,2,4 sites.ruhla.calendar.week_offset=0 sites.ruhla.counsellors=1,2 \
  replications=10 "$@"
