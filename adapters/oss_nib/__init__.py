"""OSS adapter: verifies an NIB and returns its record (status, NPWP, responsible persons)."""
