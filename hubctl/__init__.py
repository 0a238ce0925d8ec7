"""``hubctl``: the operators' and integrators' command line for a running hub.

Dead letters (list, inspect, re-drive) and replay (consumer-group re-drive,
sandbox copies, what-if re-decisions). Every command talks to Kafka (and
Redis where it must) like any other client; none of them sends an email or a
customs message: those effects belong to the services, which are idempotent.
"""
