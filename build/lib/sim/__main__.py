"""python -m sim: the main job, the experiment ruhla_question (see sim.compare)."""

from sim.compare import main

if __name__ == "__main__":
    main()
