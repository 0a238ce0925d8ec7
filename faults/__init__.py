"""Fault injection with a ledger: crash, restart and overload the hub, then count what it published.

Why: the hub promises at-least-once processing with idempotent effects, so
under any single fault every submission must end with exactly one final
decision, one customs message and one email, and every consumer group must
catch up. ``python -m faults`` runs each fault on a fresh stack while
thousands of registrations are in flight, reads every topic back with
``read_committed`` and the dev mailbox, and writes the counts to
RELIABILITY.md (:mod:`faults.ledger` holds the counting, pure and unit-tested).
"""
