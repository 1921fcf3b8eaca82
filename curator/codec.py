"""Turning domain dataclasses into stored documents and back (cattrs).

Documents hold only JSON types, so what a process keeps in memory is exactly
what another reads back from disk. Unknown keys are ignored and missing keys
take the field's default, which is what lets fields be added without a
migration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

import cattrs

from curator.errors import CorruptWorkspace

T = TypeVar("T")

_converter = cattrs.Converter()
_converter.register_unstructure_hook(datetime, lambda value: value.isoformat())
_converter.register_structure_hook(datetime, lambda value, _: datetime.fromisoformat(value))


def to_doc(obj: object) -> dict[str, Any]:
    """The JSON-ready document for a domain object."""
    doc = _converter.unstructure(obj)
    assert isinstance(doc, dict)
    return doc


def from_doc(cls: type[T], doc: dict[str, Any]) -> T:
    """Rebuild a domain object; a document that does not fit is a corrupt store."""
    try:
        return _converter.structure(doc, cls)
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
        ident = doc.get("id", "?") if isinstance(doc, dict) else "?"
        if isinstance(exc, cattrs.BaseValidationError):
            detail = "; ".join(cattrs.transform_error(exc))
        else:
            detail = str(exc)
        raise CorruptWorkspace(
            f"A stored {cls.__name__} (id {ident}) cannot be read: {detail}. "
            "Restore the workspace from a backup or remove that record."
        ) from exc
