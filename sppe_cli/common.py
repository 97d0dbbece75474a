"""What every command shares: who the command line acts as, the checks that make a
command fail instead of printing partial figures, and the expected errors turned into
a French message and an exit code."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

from sppe_data.auth import Principal

# Exit codes: 0 done; 1 the result would be missing or incomplete (store or extracts
# unreadable, import refused, rights); 2 the command was given bad input; 130 interrupted.
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# Whoever runs the command line holds the data directory and the database credentials:
# it acts as an administrator for accounts and exports, as the Cnaf for imports.
ADMIN = Principal("ligne-de-commande", "Ligne de commande", "admin")
CNAF = Principal("ligne-de-commande", "Ligne de commande", "cnaf")


_OS_ERRORS = {
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.EISDIR: "c'est un dossier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EEXIST: "existe déjà",
}


def os_reason(exc: OSError) -> str:
    """French reason of a system error (its own text is English)."""
    return _OS_ERRORS.get(exc.errno, f"erreur système {exc.errno}")


class CommandError(Exception):
    """An expected failure: its French message goes to stderr, then ``exit_code``."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def require_store() -> None:
    """Raises the store's own French error when it cannot be reached or its schema is
    not the code's: nothing read without the journal would be complete."""
    from sppe_data import store

    store.get_store()


def require_data() -> None:
    """The store, then every extract and reference file: any problem and the command
    stops before printing a figure (the list of problems is the message)."""
    require_store()
    from sppe_data.db import data_problems

    problems = data_problems()
    if problems:
        lines = "\n".join(f"- {p}" for p in problems)
        raise CommandError(
            f"données illisibles ou incomplètes, aucun chiffre n'est produit :\n{lines}"
        )


def read_input(path: str, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of a file given on the command line (the callers
    refuse what is over the limit with their own message)."""
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"fichier introuvable : {file}", EXIT_USAGE)
    try:
        with file.open("rb") as fh:
            return fh.read(limit + 1)
    except OSError as exc:
        raise CommandError(f"fichier illisible : {file} ({os_reason(exc)})", EXIT_USAGE) from exc


def write_output(data: bytes, out: str | None) -> None:
    """To the file ``out`` or, without one, to the standard output."""
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    Path(out).write_bytes(data)


def expected_error(exc: BaseException) -> tuple[str, int] | None:
    """The French message and exit code of an expected failure, None for a bug."""
    if isinstance(exc, CommandError):
        return str(exc), exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return "interrompu.", EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError):  # the reader of the output went away (| head)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more may reach the pipe
        return "sortie interrompue (le programme qui la lisait s'est arrêté).", EXIT_FAILED
    from sppe_data.auth import AccessDenied

    if isinstance(exc, AccessDenied):
        return str(exc), EXIT_FAILED
    unavailable: tuple[type[BaseException], ...] = ()
    if "sppe_data.store" in sys.modules:
        unavailable += (sys.modules["sppe_data.store"].StoreUnavailable,)
    if "sppe_data.journal" in sys.modules:
        unavailable += (sys.modules["sppe_data.journal"].JournalUnavailable,)
    if unavailable and isinstance(exc, unavailable):
        return str(exc), EXIT_FAILED
    if isinstance(exc, OSError) and exc.filename:
        return f"accès impossible à {exc.filename} : {os_reason(exc)}", EXIT_FAILED
    return None
