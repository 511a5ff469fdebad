"""Reading a file the user named (campus.toml, the CSV files): a clear message, exit 2, for a
path that is missing, a folder, a special file (a pipe or a device, which could block or never
end) or unreadable; never a traceback."""

from __future__ import annotations

from pathlib import Path

from core.errors import InputError
from core.i18n import _


def read_regular_file(path: Path, hint: str) -> bytes:
    """The bytes of the regular file at `path`, or an InputError naming it, with `hint` (what
    to check) at the end of the message."""
    if not path.exists():
        raise InputError(_("{path} : fichier introuvable ({hint}).", path=path, hint=hint))
    if not path.is_file():
        raise InputError(
            _(
                "{path} : ce n'est pas un fichier (un dossier ou un fichier spécial) ; {hint}.",
                path=path,
                hint=hint,
            )
        )
    try:
        return path.read_bytes()
    except PermissionError:
        raise InputError(
            _("{path} : lecture refusée (droits du fichier) ; {hint}.", path=path, hint=hint)
        ) from None
    except OSError as error:
        raise InputError(
            _(
                "{path} : fichier illisible ({reason}) ; {hint}.",
                path=path,
                reason=error.strerror or type(error).__name__,
                hint=hint,
            )
        ) from None
