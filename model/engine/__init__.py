"""One replication of the tip-off pipeline: streams, arrivals, queues, staff, processes."""
