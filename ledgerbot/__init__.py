"""ledgerbot: the composition root (CLI, logging, process start-up)."""
