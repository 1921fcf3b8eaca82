"""The protocols services depend on; storage back ends implement them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from curator.domain import Item

T = TypeVar("T")
C = TypeVar("C")


class Repository(Protocol[T]):
    """CRUD on one aggregate; every write is durable when it returns."""

    def get(self, obj_id: str) -> T | None: ...

    def list(self) -> list[T]: ...

    def count(self) -> int: ...

    def ids(self) -> set[str]: ...

    def save(self, obj: T) -> None: ...

    def save_many(self, objs: Iterable[T]) -> None: ...

    def remove(self, obj_id: str) -> None: ...


class ItemRepositoryProtocol(Repository[Item], Protocol):
    """Items add time-ordered reads (the stream)."""

    def recent(self, limit: int = 200) -> list[Item]: ...

    def count_by_source(self) -> dict[str, int]: ...


class ConfigRepositoryProtocol(Protocol):
    """Workspace-wide settings: one typed document per key."""

    def get(self, key: str, cls: type[C]) -> C | None: ...

    def get_or_default(self, key: str, cls: type[C]) -> C: ...

    def put(self, key: str, value: object) -> None: ...
