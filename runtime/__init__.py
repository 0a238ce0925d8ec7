"""Plumbing shared by the gateway and every adapter: consuming, dead-lettering, settings.

Exception tree (faults only; acknowledgement is decided in one place,
:mod:`runtime.consumer`)::

    HubError
    ├── PoisonMessage        this record can never be processed: dead-letter it
    └── TransientFailure     the world is not ready (broker, Redis, agency): retry later

Any other exception raised while handling a record is treated as a bug in
the handler for *that record*: the record is isolated and dead-lettered, its
neighbours in the batch are processed normally.
"""
