"""Use cases: each loads what it needs through a unit of work, acts, and commits."""
