"""What `campus doctor` says about the web service: its secrets and Discourse's settings."""

from __future__ import annotations

from sync.i18n import _

MIN_SECRET_LENGTH = 16


def secret_problem(variable: str, value: str) -> str | None:
    """Why the secret in `variable` cannot be used (never quoting it), or None."""
    if not value:
        return _("{variable} n'est pas définie.", variable=variable)
    if value != value.strip() or any(char.isspace() for char in value):
        return _(
            "{variable} contient une espace ou un retour à la ligne (copier-coller ?) :"
            " redéfinissez-la sans.",
            variable=variable,
        )
    if len(value) < MIN_SECRET_LENGTH:
        return _(
            "{variable} est trop courte : au moins {n} caractères aléatoires.",
            variable=variable,
            n=MIN_SECRET_LENGTH,
        )
    return None


def secret_hint() -> str:
    """How to make a secret, for the messages that ask for one."""
    return _(
        "Chaque secret se définit dans l'environnement du service (jamais dans campus.toml),"
        " par exemple : export CAMPUS_WEB_SECRET=$(python3 -c 'import secrets;"
        " print(secrets.token_hex(32))')"
    )
