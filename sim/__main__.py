"""python -m sim: the main job, wartburgkreis against wartburgkreis_ruhla (see sim.compare)."""

from sim.compare import main

if __name__ == "__main__":
    main()
