"""KAFKA_JVM_OPTIONS: extra JVM options for the brokers devstack starts, checked before use."""

import pytest

from devstack.kafka import KafkaStartError, jvm_options


def test_none_by_default():
    assert jvm_options({}) == []


def test_options_are_split_on_spaces():
    env = {"KAFKA_JVM_OPTIONS": " -XX:TieredStopAtLevel=1  -XX:+UseSerialGC "}
    assert jvm_options(env) == ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


def test_what_is_not_an_option_is_refused_naming_it():
    """A stray word would become the JVM's main class, and the broker would not start."""
    with pytest.raises(KafkaStartError, match=r"KAFKA_JVM_OPTIONS: 'kafka\.Kafka'"):
        jvm_options({"KAFKA_JVM_OPTIONS": "-Xss1m kafka.Kafka"})
