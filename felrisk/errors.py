"""The one family of errors felrisk raises, each mapped to a documented exit code."""

from __future__ import annotations


class FelriskError(Exception):
    """Root of every error felrisk raises on purpose."""

    exit_code: int = 1


class ConfigError(FelriskError):
    """A configuration file or option holds a value that is not allowed."""

    exit_code = 2


class UnsafePathError(ConfigError):
    """A path where felrisk writes is a symbolic link or a file felrisk did not make."""


class ContractError(FelriskError):
    """Input data breaks the data contract: names the table, column, rule and rows."""

    exit_code = 3

    def __init__(self, message: str, problems: list | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class NoModelError(FelriskError):
    """No registered model (or no `champion` alias) to score with."""

    exit_code = 4


class LockedError(FelriskError):
    """Another run holds the lock for the same output."""

    exit_code = 5


class OutcomeImportError(ContractError):
    """Investigators' results that cannot be imported: unknown, repeated or conflicting."""


class StorageError(FelriskError):
    """The system refused a read or write (disk full, permission denied): names the file."""

    exit_code = 6


class NotReproducedError(FelriskError):
    """A night remade from its manifest differs from the recorded one: names the files."""

    exit_code = 7


def storage_message(exc: OSError) -> str:
    """What the system refused, and on which file, in one line (no traceback)."""
    what = exc.strerror or str(exc) or type(exc).__name__
    files = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
    return f"{what}: {files}" if files else what


EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_STORAGE = StorageError.exit_code
