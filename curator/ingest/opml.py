"""OPML subscription lists: import and export without losing anything.

OPML is how feed readers hand subscriptions to one another. Teams move their
lists between tools, so a list that passes through Curator must come out
with everything it went in with: attributes we do not use are kept in
``Source.extra`` and written back as they were, including attributes in
other tools' namespaces. Curator's own settings travel as attributes in the
``urn:curator:opml:1`` namespace, which other readers ignore.

Reading is defensive: OPML files come from anywhere, so the parser never
touches the network, never loads a DTD and refuses entity declarations (the
"billion laughs" attack), and an ill-formed file fails as a whole with the
line to look at, importing nothing.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from email.utils import format_datetime
from typing import Any

from lxml import etree

from curator.domain import Channel, Source, SourceKind, utcnow
from curator.errors import CuratorError
from curator.ingest.dedup import canonical_url

__all__ = ["CURATOR_NS", "CURATOR_PREFIX", "OpmlError", "export_opml", "import_opml"]

#: Namespace of Curator's own outline attributes (channel, fetch interval ...).
CURATOR_NS = "urn:curator:opml:1"
CURATOR_PREFIX = "curator"

#: Outline attributes Curator maps to Source fields; all others go to ``Source.extra``. Matched
#: case-insensitively because some exporters write ``xmlurl``.
_MAPPED = frozenset({"text", "title", "xmlurl", "htmlurl"})
#: Our namespaced settings, by attribute local name.
_SETTINGS = ("channel", "fetch_interval_minutes", "full_text", "enabled")
_XMLNS_KEY = "xmlns:"
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
# Characters XML 1.0 cannot carry at all; a feed title may contain them, the export must not.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


_ENTITIES_REFUSED = (
    "The OPML file declares XML entities (<!ENTITY ...>), which Curator refuses because they can make a "
    "small file expand without limit; nothing was imported. Export the list again from your feed reader."
)


class OpmlError(CuratorError):
    """An OPML file cannot be imported; nothing from it was."""


# ------------------------------------------------------------------- import


def _parser() -> Any:
    # A new parser per call: lxml parsers are not safe to share between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _declares_entities(data: bytes) -> bool:
    marker = "<!ENTITY"
    return any(marker.encode(codec) in data for codec in ("utf-8", "utf-16-le", "utf-16-be"))


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(element: Any) -> Iterator[Any]:
    for child in element:
        if _local(child.tag) == "outline":
            yield child


def _parse_bool(value: str) -> bool | None:
    lowered = value.strip().lower()
    return True if lowered in _TRUE else False if lowered in _FALSE else None


def _apply_setting(settings: dict[str, Any], name: str, value: str) -> None:
    """Read one of our settings; a bad value is dropped so the field keeps its default."""
    if name == "channel":
        with contextlib.suppress(ValueError):
            settings[name] = Channel(value.strip().lower())
    elif name == "fetch_interval_minutes":
        try:
            minutes = int(value.strip())
        except ValueError:
            return
        if minutes >= 1:
            settings[name] = minutes
    else:
        flag = _parse_bool(value)
        if flag is not None:
            settings[name] = flag


def _source_from_outline(outline: Any, category: str) -> Source | None:
    mapped: dict[str, str] = {}
    extra: dict[str, str] = {}
    settings: dict[str, Any] = {}
    prefixes = {uri: prefix for prefix, uri in outline.nsmap.items() if prefix}
    for key, value in outline.attrib.items():
        qname = etree.QName(key)
        if qname.namespace is None:
            if key.lower() in _MAPPED:
                mapped.setdefault(key.lower(), value)
            elif key == "type" and value.strip().lower() == "rss":
                continue  # what every feed outline says, and what the export writes anyway
            else:
                extra[key] = value
        elif qname.namespace == CURATOR_NS and qname.localname in _SETTINGS:
            _apply_setting(settings, qname.localname, value)
        else:
            # Foreign (or future Curator) namespaced attribute: keep it in Clark notation, and the prefix
            # it was written with so the export can write it the same way.
            extra[key] = value
            prefix = prefixes.get(qname.namespace)
            if prefix:
                extra[f"{_XMLNS_KEY}{prefix}"] = qname.namespace
    url = mapped.get("xmlurl", "").strip()
    if not url:
        return None
    title = mapped.get("title", "").strip() or mapped.get("text", "").strip() or url
    return Source(
        title=title,
        url=url,
        kind=SourceKind.FEED,
        category=category,
        site_url=mapped.get("htmlurl", "").strip(),
        extra=extra,
        **settings,
    )


def _walk(element: Any, path: tuple[str, ...]) -> Iterator[Source]:
    for outline in _children(element):
        source = _source_from_outline(outline, "/".join(path))
        if source is not None:
            yield source
            # A feed outline with children is unusual; keep its children in the same folder.
            yield from _walk(outline, path)
        else:
            name = (outline.get("text") or outline.get("title") or "").strip().replace("/", "-")
            yield from _walk(outline, (*path, name) if name else path)


def import_opml(data: bytes) -> list[Source]:
    """The feeds of an OPML 1.0 or 2.0 file, as new Sources.

    Outlines with an ``xmlUrl`` are feeds; outlines without one are folders,
    and the path of folders above a feed becomes its ``category``
    (``"Press/Germany"``). The title comes from ``title``, else ``text``
    (OPML readers show ``text``; the export writes the title to both, so a
    source renamed in Curator is renamed everywhere); ``htmlUrl`` becomes
    ``site_url``. Every other attribute (but ``type="rss"``, which every
    feed outline says) is kept in ``Source.extra`` (namespaced ones in ``{uri}name`` form, plus an
    ``xmlns:prefix`` entry recording their prefix). Curator's own settings
    are read from ``curator:`` attributes; a value that makes no sense is
    ignored and the default kept, because one odd attribute should not cost
    the whole list. A feed listed twice (in two folders, say) is imported
    once, where it first appears (compared by canonical URL). A "/" inside
    a folder name becomes "-", since "/" separates folders in a category.

    Args:
        data: The file's bytes; the XML declaration decides the encoding.

    Raises:
        OpmlError: The file is not well-formed XML, declares entities, is not
            OPML, or holds no feeds. Nothing is imported in that case.
    """
    if _declares_entities(data):
        raise OpmlError(_ENTITIES_REFUSED)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else 0)
        detail = re.sub(r",\s*line \d+, column \d+$", "", str(exc.msg or exc)).strip()
        raise OpmlError(
            f"The OPML file is not well-formed XML (line {line}: {detail}); nothing was imported."
        ) from exc
    dtd = root.getroottree().docinfo.internalDTD if root is not None else None
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise OpmlError(_ENTITIES_REFUSED)  # in an encoding the byte scan above does not cover
    if root is None or _local(root.tag) != "opml":
        found = _local(root.tag) if root is not None else "nothing"
        hint = (
            " It looks like a feed: add its address as a source instead." if found in ("rss", "feed") else ""
        )
        raise OpmlError(f"The file is not an OPML subscription list (its root element is <{found}>).{hint}")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    sources: list[Source] = []
    seen: set[str] = set()
    for source in _walk(body if body is not None else root, ()):
        key = canonical_url(source.url)
        if key not in seen:
            seen.add(key)
            sources.append(source)
    if not sources:
        raise OpmlError(
            "The OPML file lists no feeds (no outline has an xmlUrl attribute); nothing was imported."
        )
    return sources


# ------------------------------------------------------------------- export


def _clean(value: str) -> str:
    return _XML_ILLEGAL.sub("", value)


def _set(element: Any, key: str, value: str) -> None:
    # A key that is not an XML name cannot be written; it did not come from an OPML file.
    with contextlib.suppress(ValueError):
        element.set(key, _clean(value))


def _folder(body: Any, folders: dict[str, Any], category: str) -> Any:
    parent, path = body, ""
    for name in (part.strip() for part in category.split("/")):
        if not name:
            continue
        path = f"{path}/{name}"
        if path not in folders:
            folders[path] = etree.SubElement(parent, "outline", text=_clean(name), title=_clean(name))
        parent = folders[path]
    return parent


def export_opml(sources: list[Source], title: str) -> bytes:
    """An OPML 2.0 document listing the feed sources, grouped into folders by category.

    Each feed outline carries ``type="rss"``, ``text``, ``title``, ``xmlUrl``
    and ``htmlUrl``, then the attributes kept in ``extra`` as they were read,
    then Curator's settings as ``curator:`` attributes. Mentions imports are
    not feeds and are left out. The result is pretty-printed UTF-8 with an
    RFC 822 ``dateCreated``, as the OPML 2.0 specification asks.
    """
    feeds = [s for s in sources if s.kind == SourceKind.FEED]
    nsmap: dict[str, str] = {CURATOR_PREFIX: CURATOR_NS}
    for source in feeds:
        for key, uri in source.extra.items():
            prefix = key[len(_XMLNS_KEY) :]
            if key.startswith(_XMLNS_KEY) and prefix not in nsmap and uri not in nsmap.values():
                nsmap[prefix] = uri
    try:
        root = etree.Element("opml", nsmap=nsmap)
    except ValueError:  # an odd prefix in someone's extra: fall back to generated prefixes
        root = etree.Element("opml", nsmap={CURATOR_PREFIX: CURATOR_NS})
    root.set("version", "2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = _clean(title)
    etree.SubElement(head, "dateCreated").text = format_datetime(utcnow(), usegmt=True)
    body = etree.SubElement(root, "body")
    folders: dict[str, Any] = {}
    for source in feeds:
        outline = etree.SubElement(_folder(body, folders, source.category), "outline")
        _set(outline, "type", source.extra.get("type", "rss"))
        _set(outline, "text", source.title)
        _set(outline, "title", source.title)
        _set(outline, "xmlUrl", source.url)
        if source.site_url:
            _set(outline, "htmlUrl", source.site_url)
        for key, value in source.extra.items():
            if key.startswith(_XMLNS_KEY) or key.lower() in _MAPPED or key == "type":
                continue
            _set(outline, key, value)
        ns = f"{{{CURATOR_NS}}}"
        outline.set(f"{ns}channel", str(source.channel.value))
        outline.set(f"{ns}fetch_interval_minutes", str(source.fetch_interval_minutes))
        outline.set(f"{ns}full_text", "true" if source.full_text else "false")
        outline.set(f"{ns}enabled", "true" if source.enabled else "false")
    result: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return result
