"""A broker outage's reconnect chatter is folded into counts; the hub's own lines never are."""

import logging

from runtime.logs import RepeatFolder


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def line(name: str, msg: str, *args: object, level: int = logging.ERROR) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_repeats_in_the_window_are_counted_and_reported_on_the_next_line():
    clock = Clock()
    folder = RepeatFolder(window_seconds=10.0, clock=clock)
    first = line("aiokafka", "Unable connect to node with id %s: %s", 1, "refused")
    assert folder.filter(first) and first.getMessage().endswith("refused")
    for step in range(1, 51):  # every 100 ms for 5 s: all folded
        clock.now = step * 0.1
        assert not folder.filter(line("aiokafka", "Unable connect to node with id %s: %s", 1, "x"))
    clock.now = 12.0
    after = line("aiokafka", "Unable connect to node with id %s: %s", 1, "refused")
    assert folder.filter(after)
    assert after.getMessage() == (
        "Unable connect to node with id 1: refused [50 more like this in the last 12s]"
    )


def test_other_templates_levels_and_the_hubs_own_loggers_pass():
    folder = RepeatFolder(window_seconds=10.0, clock=Clock())
    assert folder.filter(line("aiokafka", "Unable to update metadata from %s", [1]))
    assert folder.filter(line("aiokafka", "Unable connect to node with id %s", 1))
    assert folder.filter(line("aiokafka", "Unable connect to node with id %s", 1, level=30))
    assert folder.filter(line("aiokafka.consumer.fetcher", "Unable connect to node with id %s", 1))
    for _ in range(3):
        assert folder.filter(line("runtime.consumer", "batch of %d will be retried", 5))
        assert folder.filter(line("aiokafka", "LeaveGroup request succeeded", level=logging.INFO))
