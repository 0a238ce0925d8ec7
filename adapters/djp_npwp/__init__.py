"""DJP adapter: verifies an NPWP and returns the taxpayer's status, name and type."""
