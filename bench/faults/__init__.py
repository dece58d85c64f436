"""``python -m bench faults``: every fault scenario of the suite against a cluster, with a feed and a search load going."""
