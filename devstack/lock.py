"""Does ``requirements.lock`` pin every dependency that ``pyproject.toml`` pins?

Why: ``./hub`` installs the lock with ``pip install --require-hashes`` and
then the hub itself with ``--no-deps``, so a dependency added to
``pyproject.toml`` without ``./hub lock`` would be missing at run time, not at
install time. Bootstrap runs ``python -m devstack.lock`` after installing and
stops with "run ./hub lock" when a pin is not in the lock at that version.
Standard library only: it runs before anything else is known to be installed.
"""

import re
import sys
import tomllib
from pathlib import Path

_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;\\]+)")


def normalise(name: str) -> str:
    """The PEP 503 form of a distribution name (``PyJWT`` and ``pyjwt`` are one)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: list[str]) -> dict[str, str]:
    """Name → version of every ``name==version`` (extras and markers ignored)."""
    found: dict[str, str] = {}
    for line in requirements:
        match = _PIN.match(line)
        if match:
            found[normalise(match.group(1))] = match.group(2)
    return found


def declared(pyproject: str) -> dict[str, str]:
    """The exact pins of ``[project]`` dependencies and every optional group."""
    project = tomllib.loads(pyproject)["project"]
    requirements = list(project.get("dependencies", []))
    for group in project.get("optional-dependencies", {}).values():
        requirements.extend(group)
    return pins(requirements)


def locked(lock: str) -> dict[str, set[str]]:
    """Name → every version the lock holds (a universal lock may fork by Python version)."""
    found: dict[str, set[str]] = {}
    for line in lock.splitlines():
        match = _PIN.match(line)
        if match:
            found.setdefault(normalise(match.group(1)), set()).add(match.group(2))
    return found


def uncovered(pyproject: str, lock: str) -> list[str]:
    """``name==version`` pins of ``pyproject`` that ``lock`` does not hold, sorted."""
    held = locked(lock)
    return sorted(
        f"{name}=={version}"
        for name, version in declared(pyproject).items()
        if version not in held.get(name, set())
    )


def main(root: Path) -> int:
    """Exit 1 naming each pin the lock misses; 0 when it covers them all."""
    missing = uncovered(
        (root / "pyproject.toml").read_text(), (root / "requirements.lock").read_text()
    )
    for pin in missing:
        print(f"requirements.lock lacks {pin}: run ./hub lock", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main(Path.cwd()))
