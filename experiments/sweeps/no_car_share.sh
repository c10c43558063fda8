#!/usr/bin/env bash
# Does the Ruhla answer depend on the share of clients without a car? domain.md section 7 gives
# 50 % (38-64 % across sources): the answer at 38, 50 and 64 %, on common random numbers, in
# parallel (joblib). About 5 minutes on 2 cores; extra overrides go last ("$@").
exec python -m sim.compare -m hydra/launcher=joblib experiment=ruhla_question \
  clients.no_car_share=0.38,0.5,0.64 replications=10 "$@"
