"""Back-office configuration of the evaluation part (filled in by that part)."""
