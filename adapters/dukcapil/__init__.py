"""Dukcapil adapter: verifies a population NIK and name by match flags, never by record."""
