"""KPIs: the registry that declares them, and the monitor that counts them during a replication."""
