"""Capacity planning of rural Jobcenter outreach: a SimPy simulator configured with Hydra."""

__version__ = "0.1.0"
