"""The settings helpers every package's settings module uses.

A settings module is a set of frozen dataclasses, one per campus.toml table; each field is declared
with `doc(default, help)` so that `campus init` writes it with its French comment (core.config).
"""

from __future__ import annotations

from dataclasses import field


def doc(default, text: str, **kwargs):
    """A dataclass field with its default and the comment `campus init` writes for it."""
    if isinstance(default, dict | list):
        return field(
            default_factory=lambda: type(default)(default), metadata={"doc": text}, **kwargs
        )
    return field(default=default, metadata={"doc": text}, **kwargs)
