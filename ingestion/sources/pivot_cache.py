"""Read (and, for the embedded snapshot and tests, write) the pivot cache of an .xlsx file.

Arbetsförmedlingen's workbooks keep their data only in the pivot cache (sources.md §4b):
``xl/pivotCache/pivotCacheDefinition1.xml`` names the fields and holds each field's shared
items, ``xl/pivotCache/pivotCacheRecords1.xml`` holds one ``<r>`` per record whose children
are either a value (``<n v="…"/>`` number, ``<s v="…"/>`` text, ``<m/>`` missing, ``<b>``,
``<d>``, ``<e>``) or ``<x v="i"/>``, the i-th shared item of that field. No workbook library
reads records into plain rows (openpyxl builds an object per cell of the cache and is far
slower, see README), so this module reads the two XML parts itself.

Downloaded files are untrusted: the zip is opened with a bound on the total decompressed
size (checked on the declared sizes and again while reading, since they can lie) and every
XML part is parsed by defusedxml with DTDs forbidden, so a zip bomb or an XML entity bomb
fails the source with a clear error instead of exhausting memory.
"""

from __future__ import annotations

import io
import numbers
import posixpath
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CORE = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"


class UnsafeWorkbookError(ValueError):
    """The file exceeds the decompression bound or carries a DTD / entity declarations."""


@dataclass
class PivotCache:
    fields: list[str]
    records: list[list[object]]
    keywords: str = ""


class BoundedZip:
    """A zip whose members are read with a running total of decompressed bytes."""

    def __init__(self, body: bytes, limit: int | None = None) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(body))
        self.limit = limit = limit or MAX_UNCOMPRESSED_BYTES
        self.read_so_far = 0
        declared = sum(info.file_size for info in self.zip.infolist())
        if declared > limit:
            raise UnsafeWorkbookError(f"declares {declared} bytes uncompressed (limit {limit})")

    def names(self) -> list[str]:
        return self.zip.namelist()

    def read(self, name: str) -> bytes:
        chunks = []
        with self.zip.open(name) as member:
            while chunk := member.read(1 << 20):
                self.read_so_far += len(chunk)
                if self.read_so_far > self.limit:
                    raise UnsafeWorkbookError(
                        f"decompresses to more than {self.limit} bytes (at {name})"
                    )
                chunks.append(chunk)
        return b"".join(chunks)


def _parse(data: bytes, part: str) -> Element:
    try:
        return SafeElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:  # DTD, entity, external reference
        raise UnsafeWorkbookError(f"{part}: {type(exc).__name__}") from exc


def _iter_records(data: bytes, part: str) -> Iterator[Element]:
    """``<r>`` elements one at a time, cleared after use (the records part can be large)."""
    try:
        for _, element in SafeElementTree.iterparse(io.BytesIO(data), forbid_dtd=True):
            if element.tag == f"{MAIN}r":
                yield element
                element.clear()
    except DefusedXmlException as exc:
        raise UnsafeWorkbookError(f"{part}: {type(exc).__name__}") from exc


def _value(element: Element) -> object:
    tag = element.tag.removeprefix(MAIN)
    value = element.get("v")
    if tag == "n":
        return float(value) if value is not None else None
    if tag in {"s", "d", "e"}:
        return value
    if tag == "b":
        return value in {"1", "true"}
    return None  # <m/>: missing


def read_pivot_cache(body: bytes, limit: int | None = None) -> PivotCache:
    """The first pivot cache of the workbook, as field names and records of plain values."""
    archive = BoundedZip(body, limit)
    definitions = sorted(
        name for name in archive.names()
        if name.startswith("xl/pivotCache/pivotCacheDefinition") and name.endswith(".xml")
    )
    if not definitions:
        raise ValueError("the workbook has no pivot cache (xl/pivotCache/pivotCacheDefinition*)")
    definition_name = definitions[0]
    definition = _parse(archive.read(definition_name), definition_name)
    fields, shared = [], []
    for field in definition.iter(f"{MAIN}cacheField"):
        fields.append(field.get("name", ""))
        items = field.find(f"{MAIN}sharedItems")
        shared.append([_value(item) for item in items] if items is not None else [])
    records_name = _records_part(archive, definition_name)
    records = []
    for element in _iter_records(archive.read(records_name), records_name):
        row = []
        for position, child in enumerate(element):
            if child.tag == f"{MAIN}x":
                row.append(shared[position][int(child.get("v", "0"))])
            else:
                row.append(_value(child))
        if len(row) != len(fields):
            raise ValueError(f"a record has {len(row)} values for {len(fields)} fields")
        records.append(row)
    keywords = ""
    if "docProps/core.xml" in archive.names():
        core = _parse(archive.read("docProps/core.xml"), "docProps/core.xml")
        keywords = core.findtext(f"{CORE}keywords") or ""
    return PivotCache(fields, records, keywords)


def _records_part(archive: BoundedZip, definition_name: str) -> str:
    """The records part the definition's relationship points to."""
    folder, name = posixpath.split(definition_name)
    rels_name = f"{folder}/_rels/{name}.rels"
    if rels_name in archive.names():
        rels = _parse(archive.read(rels_name), rels_name)
        for rel in rels.iter(f"{RELATIONSHIPS}Relationship"):
            if rel.get("Type", "").endswith("/pivotCacheRecords"):
                return posixpath.normpath(posixpath.join(folder, rel.get("Target", "")))
    fallback = definition_name.replace("pivotCacheDefinition", "pivotCacheRecords")
    if fallback not in archive.names():
        raise ValueError(f"no records part for {definition_name}")
    return fallback


# ---------------------------------------------------------------------------------------
# Writing: a minimal workbook with one pivot cache, in the layout Arbetsförmedlingen uses.
# Used by the snapshot generator, the national-scale benchmark and the tests.

def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _cell(value: object) -> str:
    if value is None:
        return "<m/>"
    if isinstance(value, bool):
        return f'<b v="{int(value)}"/>'
    if isinstance(value, numbers.Integral):
        return f'<n v="{int(value)}"/>'
    if isinstance(value, numbers.Real):
        return f'<n v="{float(value)!r}"/>'
    return f'<s v="{_escape(str(value))}"/>'


def write_workbook(
    fields: Sequence[str],
    records: Sequence[Sequence[object]],
    shared_fields: Sequence[str] = (),
    keywords: str = "",
    sheet_title: str = "andel",
) -> bytes:
    """An .xlsx whose data live only in a pivot cache. Fields named in ``shared_fields``
    are stored as shared items referenced by ``<x v="i"/>`` (as Excel does for text fields);
    the others inline."""
    shared: dict[str, list[object]] = {name: [] for name in shared_fields}
    positions: dict[str, dict[object, int]] = {name: {} for name in shared_fields}
    body = []
    for record in records:
        cells = []
        for name, value in zip(fields, record, strict=True):
            if name in shared:
                if value not in positions[name]:
                    positions[name][value] = len(shared[name])
                    shared[name].append(value)
                cells.append(f'<x v="{positions[name][value]}"/>')
            else:
                cells.append(_cell(value))
        body.append(f"<r>{''.join(cells)}</r>")
    cache_fields = []
    for name in fields:
        items = "".join(_cell(v) for v in shared.get(name, []))
        count = f' count="{len(shared[name])}"' if name in shared else ""
        cache_fields.append(
            f'<cacheField name="{_escape(name)}" numFmtId="0"><sharedItems{count}>{items}'
            f"</sharedItems></cacheField>"
        )
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    r_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            '<Override PartName="/xl/pivotCache/pivotCacheDefinition1.xml" '
            f'ContentType="{ct}.pivotCacheDefinition+xml"/>'
            '<Override PartName="/xl/pivotCache/pivotCacheRecords1.xml" '
            f'ContentType="{ct}.pivotCacheRecords+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.'
            'openxmlformats-package.core-properties+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            "</Relationships>"
        ),
        "docProps/core.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://'
            'schemas.openxmlformats.org/package/2006/metadata/core-properties">'
            f"<cp:keywords>{_escape(keywords)}</cp:keywords></cp:coreProperties>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {r_ns}><sheets>'
            f'<sheet name="{_escape(sheet_title)}" sheetId="1" r:id="rId1"/></sheets>'
            '<pivotCaches><pivotCache cacheId="1" r:id="rId2"/></pivotCaches></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/pivotCacheDefinition" '
            'Target="pivotCache/pivotCacheDefinition1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData/></worksheet>'
        ),
        "xl/pivotCache/pivotCacheDefinition1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><pivotCacheDefinition {ns} {r_ns} '
            f'r:id="rId1" recordCount="{len(records)}"><cacheSource type="worksheet"/>'
            f'<cacheFields count="{len(fields)}">{"".join(cache_fields)}</cacheFields>'
            "</pivotCacheDefinition>"
        ),
        "xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/pivotCacheRecords" '
            'Target="pivotCacheRecords1.xml"/></Relationships>'
        ),
        "xl/pivotCache/pivotCacheRecords1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><pivotCacheRecords {ns} '
            f'count="{len(records)}">{"".join(body)}</pivotCacheRecords>'
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
