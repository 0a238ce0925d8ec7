"""HTTP intake for portals that cannot speak Kafka: one registration plus its Surat Kuasa in."""
