"""The hub's published schemas as package data: XSDs (``xsd/``), released JSON (``json/``).

Why a package: an installed wheel must carry them, and readers find them with
:mod:`importlib.resources` (``files("schemas")``) rather than relative to a
checkout, so the hub runs the same from a wheel as from the repository.
"""
