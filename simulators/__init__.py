"""Agency simulators: OSS (NIB), DJP (NPWP) and Dukcapil (NIK) over HTTP.

One seeded, coherent data set (:mod:`simulators.dataset`) is served by three
small aiohttp services (:mod:`simulators.oss`, :mod:`simulators.djp`,
:mod:`simulators.dukcapil`). Adapters reach them through a configurable base
URL, so a real agency endpoint can replace a simulator without code changes.

Run one with ``python -m simulators {oss|djp|dukcapil} --port P``; print the
named fixtures with ``python -m simulators dump-fixtures``.

No production code may import this package (enforced by import-linter).
"""
