"""Back-office configuration of the report part (filled in by that part)."""
