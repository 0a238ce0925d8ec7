"""Facts about the machine and the software a result was measured on.

Why: a throughput figure without the machine beside it cannot be compared
with anything; these go at the top of the report and into the JSON file.
"""

import os
import platform
import sys
from importlib.metadata import version


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def facts(kafka: str) -> dict[str, str]:
    """Machine and version facts; ``kafka`` describes the broker used."""
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return {
        "nproc": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "memory": _memory(),
        "kernel": platform.release(),
        "load average before run": load,
        "python": sys.version.split()[0],
        "aiokafka": version("aiokafka"),
        "faststream": version("faststream"),
        "uvloop": version("uvloop"),
        "kafka": kafka,
    }
