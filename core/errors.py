"""Domain errors: each names the thing it concerns and the reason, for a specific reply."""

from __future__ import annotations


class CoreError(Exception):
    """Base of every error the core raises on purpose."""


class ConfigError(CoreError):
    """Bad configuration: reported as one line, never a traceback."""


class InvalidTransition(CoreError):
    """A state change the lifecycle does not allow, e.g. changing a shipped order."""

    def __init__(self, ref: str, status: str, action: str, reason: str = "") -> None:
        msg = f"{ref}: cannot {action} while {status}"
        super().__init__(f"{msg} ({reason})" if reason else msg)
        self.ref = ref
        self.status = status
        self.action = action
        self.reason = reason


class VersionConflict(CoreError):
    """Optimistic lock lost: someone else changed the record since it was read."""

    def __init__(self, ref: str, expected: int, actual: int | None = None) -> None:
        super().__init__(
            f"{ref} was changed by someone else (expected version {expected}"
            + (f", found {actual})" if actual is not None else ")")
        )
        self.ref = ref
        self.expected = expected
        self.actual = actual


class ValidationError(CoreError):
    """A value that breaks a domain rule (negative quantity, unknown work center ...)."""


class WriteConflict(CoreError):
    """The store refused a write that breaks a rule it enforces (a key already taken, a
    reference to nothing), usually because another writer got there first. Nothing of the
    transaction is kept."""


class PlanMoved(CoreError):
    """Other processes kept committing plan versions while this one was solved on an older
    one; nothing was committed (committing it would overwrite their plans)."""
