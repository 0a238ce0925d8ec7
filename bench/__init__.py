"""Benchmarks of the hub against a raw aiokafka pipe of the same shape, side by side.

Why: "is the hub fast enough?" is only answerable relative to the machine.
``python -m bench`` measures the whole hub (every service its own process, on a
real broker) and a minimal aiokafka pipe with the same hops, message sizes,
ack policy and partitions, on the same broker in the same run, so the ratio
hub/raw is meaningful even on a noisy shared machine. See BENCHMARKS.md.
"""
