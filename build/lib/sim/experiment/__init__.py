"""Experiments on top of one replication: replications, comparisons under CRN, statistics, outputs."""
