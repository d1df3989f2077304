"""Finding and creating sources by any of their names."""

from __future__ import annotations

from articles.credits import known_source, source_key
from articles.models import Source, SourceAlias


def find_or_create_source(*, name: str, kind: str = Source.Kind.OUTLET) -> Source:
    """The source one of whose names is ``name``; a new one, with that name, when none is."""
    name = " ".join(name.split())
    key = source_key(name)
    alias = SourceAlias.objects.select_related("source").filter(key=key).first()
    if alias is not None:
        return alias.source
    known = known_source(name)
    if known is not None:
        source, _ = Source.objects.get_or_create(
            name=known.name, defaults={"full_name": known.full_name, "kind": known.kind}
        )
    else:
        source, _ = Source.objects.get_or_create(name=name[:200], defaults={"kind": kind})
    SourceAlias.objects.get_or_create(key=key, defaults={"source": source, "alias": name[:300]})
    return source


class SourceDirectory:
    """Resolves source names to ids during an import with one query up front, not one per name."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = dict(SourceAlias.objects.values_list("key", "source_id"))

    def id_for(self, name: str, *, kind: str = Source.Kind.AGENCY) -> int:
        key = source_key(name)
        if key not in self._ids:
            self._ids[key] = find_or_create_source(name=name, kind=kind).pk
        return self._ids[key]
