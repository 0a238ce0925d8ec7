"""Developer stack: a real Kafka broker, a real Redis server and the hub's services.

Why this package exists: the hub is message-driven, and its tests and demo must
run against the same Kafka and Redis that production uses, not fakes. There is
no Docker on the development and CI machines, so devstack starts the Apache
Kafka broker from its Maven Central jars and Redis from the distribution
package, each as an ordinary child process bound to 127.0.0.1 on free ports,
and guarantees that every process it started is stopped again.
"""
