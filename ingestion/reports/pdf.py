"""PDF reports -> the line stream the text path reads, with tables read from the words'
positions.

A PDF's text layer flattens a table: each row becomes words separated by spaces, a wrapped
cell spills onto the next line and the cells of a row lose their boundaries. So the words
of every page are placed by their boxes (pypdfium2: PDFium, fast and wheels only) and each
page becomes lines in the form of the text documents:

- a table row is one line of tab-separated cells, in the table's columns (an empty cell is
  an empty string between tabs), exactly as a tab-separated text report prints it;
- a cell wrapped over several lines is one cell: in a ruled table everything between two
  rules is one cell; without rules a line holding only the start or the rest of a label
  (lower-case continuation, or closer to its neighbour than rows are to each other) joins
  the row it belongs to, and a stacked heading ("Utfall" / "jan-juni 2023") is one heading;
- a table continued on the next page keeps its columns and loses its repeated heading row,
  so the walker reads it as one table with the unit its caption or heading stated;
- every other line is its words joined by spaces; a larger vertical gap is a blank line.

Tables are found from ruling lines (a grid of at least three vertical or three horizontal
rules, also drawn inside form objects) or, without rules, from at least two consecutive
lines split into cells by wide gaps whose later cells are short (numbers, years, column
names), not prose. Two columns of prose are read one after the other; a page whose text
runs up, down or upside down is read in the text's direction; glyphs set edge to edge are
one word whatever separator PDFium reports between them.

Each page also gets a second reading, ``text_lines``: its text layer in the order it was
written, a line per baseline, as a plain text extraction gives it. ``extract`` keeps, page
by page, the reading whose figures pass the report's own arithmetic.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# What a bad PDF raises (damaged, encrypted, not a PDF): the caller reports the document.
PdfError = pdfium.PdfiumError

_BREAKS = re.compile(r"\s{2,}|[^\S ]")  # not a single space
_SPACE = re.compile(r"(?<=\S) (?=\S)")  # a single space between two words
# A gap wider than this share of the text height separates cells (a justified space is
# well below it; two right-aligned number columns with the narrowest padding are above).
_CELL_GAP = 0.5
_SAME_LINE = 0.4  # centres closer than this share of the height are one line
_BLANK_GAP = 0.5  # a vertical gap above this share of the height is a paragraph break
_RULE_THICKNESS = 2.0  # points: thinner shapes are rules, not boxes
_RULE_MIN_LENGTH = 6.0
_RULE_SNAP = 2.5  # points: rule positions closer than this are one rule
_MIN_RULES = 3  # a grid has at least this many vertical or horizontal rules
_SHORT_CELL_WORDS = 5  # later cells of a table row are short; prose columns are not
_PROSE_WORDS = 7  # a single-cell line this long is prose (it ends a table)
_JUSTIFIED_WORDS = 5
_TOUCHING = 0.1  # a gap narrower than this share of the height is inside a word
_NUMBER = re.compile(r"[-−–(]?\s?\d[\d\s.,]*(\s?%|\(\d+\s*/\s*\d+\)|\)|\s?(kr|tkr|kronor))?")
_YEAR = re.compile(r"(19|20)\d\d")
# The caption or numbered heading of a table ("4.2 Balansräkning, kronor", "Tabell 3"), not
# a running header or footer.
_CAPTION = re.compile(r"\d+(\.\d+)*\.? +[A-ZÅÄÖ]|(?i:tabell|table|figur)\b|(?i:.*\b(tkr|kronor)\b)")


class Word:
    """A run of text on one line without a gap wider than one printed space: a word, or
    words joined by printed spaces (those never separate cells)."""

    __slots__ = ("x0", "x1", "top", "bottom", "middle", "height", "text", "n_words")

    def __init__(self, x0: float, x1: float, top: float, bottom: float, text: str) -> None:
        self.x0, self.x1, self.top, self.bottom = x0, x1, top, bottom  # y grows upwards
        self.middle, self.height = (top + bottom) / 2, top - bottom
        self.text = text
        self.n_words = text.count(" ") + 1


class Line:
    """Words on one baseline, left to right."""

    __slots__ = ("words", "chunks", "top", "bottom", "middle", "height", "n_words")

    def __init__(self, words: list[Word]) -> None:
        words.sort(key=lambda w: w.x0)
        self.words = words
        self.chunks: list[list[Word]] = [words]  # words split at wide gaps (cells)
        self.top = max(w.top for w in words)
        self.bottom = min(w.bottom for w in words)
        self.middle = (self.top + self.bottom) / 2
        self.height = words[0].height
        self.n_words = sum(w.n_words for w in words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class Rules:
    vertical: list[tuple[float, float, float]]  # x, y_low, y_high
    horizontal: list[tuple[float, float, float]]  # y, x_low, x_high


@dataclass
class Grid:
    """A ruled table: its area, the x of its column rules and the y of its row rules."""
    x0: float
    x1: float
    bottom: float
    top: float
    columns: list[float]
    rows: list[float]

    def holds(self, line: Line) -> bool:
        middle = (line.words[0].x0 + line.words[-1].x1) / 2
        return self.bottom < line.middle < self.top and self.x0 - 1 < middle < self.x1 + 1


@dataclass
class Table:
    separators: list[float]  # x between columns
    rows: list[list[str]]
    heading: list[str] | None  # the first row when it names columns


@dataclass
class PageState:
    """The table the previous page ended with (no prose after it), so a table continued
    over a page break stays one."""
    last_table: Table | None = None


@dataclass
class PdfPage:
    """Two readings of one page: ``lines`` from the words' positions (tables as
    tab-separated rows) and ``text_lines``, the text layer in the order it was written, a
    line per baseline (what a plain text extraction gives). ``scanned``: the page shows an
    image and has no text layer."""
    lines: list[str]
    text_lines: list[str]
    scanned: bool = False


def read_pdf(source: Path | bytes) -> list[PdfPage]:
    """Both readings of every page of a PDF file (or its bytes)."""
    document = pdfium.PdfDocument(source)
    pages: list[PdfPage] = []
    state = PageState()
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                pages.append(read_page(page, state))
            finally:
                page.close()
    finally:
        document.close()
    return pages


def pdf_pages(source: Path | bytes) -> list[list[str]]:
    """Lines of every page of a PDF file (or its bytes), read from the words' positions."""
    return [page.lines for page in read_pdf(source)]


def read_page(page: pdfium.PdfPage, state: PageState) -> PdfPage:
    words, turn = _words(page)
    if not words:
        state.last_table = None
        return PdfPage([], [], scanned=_has_image(page))
    text_lines = _stream_lines(words)
    lines = _lines(words)
    grids = _grids(_rules(page, turn))
    lines = _in_columns(lines, grids)
    for line in lines:
        line.chunks = _chunks(line, grids)
    items = _tables(lines, grids)
    return PdfPage(_render(items, state), text_lines)


def _has_image(page: pdfium.PdfPage) -> bool:
    raw = page.raw
    return any(pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(raw, i))
               in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM)
               for i in range(pdfium_c.FPDFPage_CountObjects(raw)))


# Words and lines ---------------------------------------------------------------------------

# A page's text may run in any of four directions (a landscape table turned onto a portrait
# page runs upwards). Boxes are turned so that it reads left to right, top to bottom: per
# quarter turn clockwise of PDFium's character angle, (left, right, bottom, top) -> the
# turned box's (x0, x1, bottom, top).
_TURNS = (
    lambda l, r, b, t: (l, r, b, t),  # noqa: E741
    lambda l, r, b, t: (-t, -b, l, r),  # noqa: E741  runs downwards
    lambda l, r, b, t: (-r, -l, -t, -b),  # noqa: E741  upside down
    lambda l, r, b, t: (b, t, -r, -l),  # noqa: E741  runs upwards
)
_ANGLE_SAMPLE = 64  # characters whose angle decides the page's direction


def _turn(raw, count: int) -> int:
    """The quarter turn most of the page's characters are printed at."""
    step = max(1, count // _ANGLE_SAMPLE)
    turns = [0, 0, 0, 0]
    for index in range(0, count, step):
        angle = pdfium_c.FPDFText_GetCharAngle(raw, index)
        if angle >= 0 and not pdfium_c.FPDFText_IsGenerated(raw, index):
            turns[round(angle / (math.pi / 2)) % 4] += 1
    return max(range(4), key=turns.__getitem__)


def _words(page: pdfium.PdfPage) -> tuple[list[Word], int]:
    """Runs of text with their boxes, in the text layer's order, and the page's quarter
    turn. Boxes are the loose ones (font ascent to descent, so every word of a line has the
    same height) of a run's first and last characters.

    A run continues over a single printed space: justified text stretches those, while
    table cells are placed apart without one (PDFium then generates the space)."""
    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        count = pdfium_c.FPDFText_CountChars(raw)
        if count <= 0:
            return [], 0
        text = textpage.get_text_range(0, count)
        if len(text) != count:  # characters outside UCS-2: one index per character
            text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i) or 32) for i in range(count))
        turn = _turn(raw, count)
        # Runs end at line breaks, tabs, several spaces and spaces PDFium generated.
        ends = [m.span() for m in _BREAKS.finditer(text)]
        ends += [(i, i + 1) for i in (m.start() for m in _SPACE.finditer(text))
                 if pdfium_c.FPDFText_IsGenerated(raw, i)]
        ends.sort()
        ends.append((count, count))
        words: list[Word] = []
        box = pdfium_c.FS_RECTF()
        start = 0
        for end, after in ends:
            if start < end:
                words += _run(raw, start, end - 1, text, box, _TURNS[turn])
            start = after
        return words, turn
    finally:
        textpage.close()


def _box(raw, index: int, box: pdfium_c.FS_RECTF, turn) -> tuple[float, float, float, float]:
    pdfium_c.FPDFText_GetLooseCharBox(raw, index, box)
    return turn(box.left, box.right, box.bottom, box.top)


def _run(raw, first: int, last: int, text: str, box: pdfium_c.FS_RECTF, turn
         ) -> list[Word]:
    """The run of characters ``first``..``last`` as a word, or one word per line when it
    runs over a line break (PDFium joins "Försäk-" / "ringskassan" into one word)."""
    x0, x1, bottom, top = _box(raw, first, box, turn)
    last_bottom, last_top = bottom, top
    if last != first:
        _, x1, last_bottom, last_top = _box(raw, last, box, turn)
    height = top - bottom
    if height > 0 and x1 > x0 and abs((last_top + last_bottom) - (top + bottom)) <= \
            2 * _SAME_LINE * height:
        # PDFium marks a hyphen it took for a word break at a line end with U+FFFE.
        return [Word(x0, x1, top, bottom, text[first:last + 1].replace("\ufffe", "-"))]
    if last == first:
        return []  # printed at another angle than the page, or empty
    words, part = [], first
    middle = None
    for index in range(first, last + 1):
        _, _, low, high = _box(raw, index, box, turn)
        here = (high + low) / 2
        if middle is not None and abs(here - middle) > _SAME_LINE * (high - low):
            words += _run(raw, part, index - 1, text, box, turn)
            part = index
        middle = here
    return words + _run(raw, part, last, text, box, turn) if part > first else words


def _touching(a: Word, b: Word) -> bool:
    """Glyphs set edge to edge belong to one word, whatever separator PDFium put between
    them (some producers write every glyph as an object of its own, and PDFium may then
    break the line after each one)."""
    return -0.5 * a.height < b.x0 - a.x1 < _TOUCHING * a.height


def _merge_touching(words: list[Word]) -> list[Word]:
    """``words`` of one line, left to right, with touching ones joined."""
    merged = [words[0]]
    for word in words[1:]:
        last = merged[-1]
        if _touching(last, word):
            joined = Word(last.x0, max(last.x1, word.x1), max(last.top, word.top),
                          min(last.bottom, word.bottom), last.text + word.text)
            merged[-1] = joined
        else:
            merged.append(word)
    return merged


def _lines(words: list[Word]) -> list[Line]:
    """Words on the same baseline, top of the page first."""
    words = sorted(words, key=lambda w: -w.middle)
    groups: list[list[Word]] = []
    anchor = None
    for word in words:
        if anchor is not None and abs(anchor.middle - word.middle) <= _SAME_LINE * min(
                anchor.height, word.height):
            groups[-1].append(word)
        else:
            groups.append([word])
            anchor = word
    lines = []
    for group in groups:
        group.sort(key=lambda w: w.x0)
        lines.append(Line(_merge_touching(group)))
    return lines


def _stream_lines(words: list[Word]) -> list[str]:
    """The text layer as written: a new line where the baseline changes or the text goes
    back to the left, a blank line at a wider vertical gap, words joined by a space unless
    they touch."""
    out: list[str] = []
    line: list[Word] = []
    for word in words:
        if line:
            last = line[-1]
            same = abs(last.middle - word.middle) <= _SAME_LINE * min(last.height, word.height)
            if same and word.x0 >= last.x1 - 0.5 * last.height:
                line.append(word)
                continue
            out.append(_line_text(line))
            if last.bottom - word.top > _BLANK_GAP * word.height:
                out.append("")
        line = [word]
    out.append(_line_text(line))
    return out


def _line_text(words: list[Word]) -> str:
    parts = [words[0].text]
    for a, b in zip(words, words[1:], strict=False):
        parts.append(b.text if _touching(a, b) else " " + b.text)
    return "".join(parts)


# Columns of prose ---------------------------------------------------------------------------

_GUTTER = 1.5  # a gap this many line heights wide between prose may be a column gutter
_COLUMN_WORDS = 3  # words on each side of the first line of two columns


def _prose(words: list[Word]) -> bool:
    """Words of running text, not a row's figures or cells: mostly words with letters, set
    without a gap as wide as a gutter."""
    tokens = [t for w in words for t in w.text.split()]
    return 2 * sum(any(c.isalpha() for c in t) for t in tokens) > len(tokens) and all(
        b.x0 - a.x1 < _GUTTER * a.height for a, b in zip(words, words[1:], strict=False))


def _in_columns(lines: list[Line], grids: list[Grid], depth: int = 0) -> list[Line]:
    """The page's lines with each run of prose set in two columns read column by column:
    a run holds a line whose widest gap (a gutter) has several words of prose on both
    sides, and the lines above and below it that lie on either side of that gutter or both,
    with prose on each side (a table row's figures beside the gutter end it, as does a
    line across it or a ruled table). A column may itself hold two (depth 3 at most)."""
    out: list[Line] = []
    done = 0  # lines before this one are in ``out``
    index = 0
    while index < len(lines):
        band = _gutter(lines[index], grids)
        if band is None:
            index += 1
            continue
        first = last = index
        while first > done and (wider := _on_both_sides(lines[first - 1], band, grids)):
            band, first = wider, first - 1
        while last + 1 < len(lines) and (wider := _on_both_sides(lines[last + 1], band, grids)):
            band, last = wider, last + 1
        # Columns are balanced: a line further below the right column's end than a line
        # runs across both (a table or heading after them), not in the left column.
        middle = (band[0] + band[1]) / 2
        end = min(lines[i].bottom for i in range(first, last + 1)
                  if lines[i].words[-1].x0 >= middle)
        while lines[last].words[-1].x0 < middle and lines[last].top < end - 1.5 * \
                lines[last].height:
            last -= 1
        out += lines[done:first]
        left = [Line([w for w in line.words if w.x1 <= middle])
                for line in lines[first:last + 1] if line.words[0].x1 <= middle]
        right = [Line([w for w in line.words if w.x0 >= middle])
                 for line in lines[first:last + 1] if line.words[-1].x0 >= middle]
        if depth < 3:
            left = _in_columns(left, grids, depth + 1)
            right = _in_columns(right, grids, depth + 1)
        out += left + right
        done = index = last + 1
    return out + lines[done:]


def _gutter(line: Line, grids: list[Grid]) -> tuple[float, float] | None:
    """The widest gap of ``line`` when it parts two runs of prose wide enough to be
    columns."""
    words = line.words
    if len(words) < 2 or line.n_words < 2 * _COLUMN_WORDS or any(g.holds(line) for g in grids):
        return None
    gap, at = max((b.x0 - a.x1, i)
                  for i, (a, b) in enumerate(zip(words, words[1:], strict=False), start=1))
    if gap < _GUTTER * line.height:
        return None
    left, right = words[:at], words[at:]
    if min(sum(w.n_words for w in left), sum(w.n_words for w in right)) < _COLUMN_WORDS \
            or not (_prose(left) and _prose(right)):
        return None
    return words[at - 1].x1, words[at].x0


def _on_both_sides(line: Line, band: tuple[float, float], grids: list[Grid]
                   ) -> tuple[float, float] | None:
    """The gutter narrowed to what ``line`` leaves free, when no word crosses it and each
    side is prose; else None (the run of columns ends)."""
    if any(g.holds(line) for g in grids):
        return None
    low, high = band
    left = [w for w in line.words if w.x0 < low]
    right = [w for w in line.words if w.x0 >= low]
    low = max([low, *(w.x1 for w in left)])
    high = min([high, *(w.x0 for w in right)])
    if high - low < 0.5 * line.height:
        return None
    # Beside the other column, or alone on the right, a line is in a column; alone on the
    # left, it may be a table row or heading across both: only prose is in the column.
    if (left and right and not (_prose(left) and _prose(right))) or (
            left and not right and not _prose(left)):
        return None
    return low, high


# Rules and grids ---------------------------------------------------------------------------

def _rules(page: pdfium.PdfPage, turn: int = 0) -> Rules:
    """Thin horizontal and vertical shapes, and the edges of boxes (cell borders), also
    inside form objects, turned as the page's text."""
    rules = Rules([], [])
    _page_rules(page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject,
                (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), _TURNS[turn], rules)
    return rules


Matrix = tuple[float, float, float, float, float, float]  # a, b, c, d, e, f as in PDF


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _then(inner: Matrix, outer: Matrix) -> Matrix:
    """``inner`` followed by ``outer``."""
    a, b, c, d, e, f = inner
    return (a * outer[0] + b * outer[2], a * outer[1] + b * outer[3],
            c * outer[0] + d * outer[2], c * outer[1] + d * outer[3],
            e * outer[0] + f * outer[2] + outer[4], e * outer[1] + f * outer[3] + outer[5])


def _page_rules(parent, count, get, outer: Matrix, turn, rules: Rules) -> None:
    left, bottom = pdfium_c.c_float(), pdfium_c.c_float()
    right, top = pdfium_c.c_float(), pdfium_c.c_float()
    identity = outer == (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    for index in range(count(parent)):
        obj = get(parent, index)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            matrix = pdfium_c.FS_MATRIX()
            pdfium_c.FPDFPageObj_GetMatrix(obj, matrix)
            inner = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
            _page_rules(obj, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject,
                        _then(inner, outer), turn, rules)
            continue
        if kind != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        if pdfium_c.FPDFPath_CountSegments(obj) > 6:
            _segments(obj, outer, turn, rules)
            continue
        pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
        x0, y0, x1, y1 = left.value, bottom.value, right.value, top.value
        if not identity:  # bounds in the form's space: to the page's
            corners = [_apply(outer, x, y) for x in (x0, x1) for y in (y0, y1)]
            x0, x1 = min(c[0] for c in corners), max(c[0] for c in corners)
            y0, y1 = min(c[1] for c in corners), max(c[1] for c in corners)
        x0, x1, y0, y1 = turn(x0, x1, y0, y1)
        width, height = x1 - x0, y1 - y0
        if width <= _RULE_THICKNESS and height >= _RULE_MIN_LENGTH:
            rules.vertical.append(((x0 + x1) / 2, y0, y1))
        elif height <= _RULE_THICKNESS and width >= _RULE_MIN_LENGTH:
            rules.horizontal.append(((y0 + y1) / 2, x0, x1))
        elif width >= _RULE_MIN_LENGTH and height >= _RULE_MIN_LENGTH:
            rules.vertical += [(x0, y0, y1), (x1, y0, y1)]
            rules.horizontal += [(y0, x0, x1), (y1, x0, x1)]


def _segments(obj, outer: Matrix, turn, rules: Rules) -> None:
    """Axis-parallel straight segments of a path drawn in one piece (a whole grid)."""
    matrix = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFPageObj_GetMatrix(obj, matrix)
    full = _then((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
    x, y = pdfium_c.c_float(), pdfium_c.c_float()
    previous = None
    for index in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetSegment(obj, index)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        px, py = _apply(full, x.value, y.value)
        point = turn(px, px, py, py)[::2]  # (x, y) turned as the text
        if pdfium_c.FPDFPathSegment_GetType(segment) == pdfium_c.FPDF_SEGMENT_LINETO \
                and previous is not None:
            (ax, ay), (bx, by) = previous, point
            if abs(ax - bx) < 0.5 and abs(ay - by) >= _RULE_MIN_LENGTH:
                rules.vertical.append((ax, min(ay, by), max(ay, by)))
            elif abs(ay - by) < 0.5 and abs(ax - bx) >= _RULE_MIN_LENGTH:
                rules.horizontal.append((ay, min(ax, bx), max(ax, bx)))
        previous = point


def _snap(values: Iterable[float]) -> list[float]:
    snapped: list[float] = []
    for value in sorted(values):
        if snapped and value - snapped[-1] <= _RULE_SNAP:
            continue
        snapped.append(value)
    return snapped


def _grids(rules: Rules) -> list[Grid]:
    """Groups of touching rules with at least three column or three row rules."""
    shapes = [("v", x, x, low, high) for x, low, high in rules.vertical]
    shapes += [("h", low, high, y, y) for y, low, high in rules.horizontal]
    parent = list(range(len(shapes)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Sorting by x lets each shape meet only the shapes that can still touch it.
    order = sorted(range(len(shapes)), key=lambda i: shapes[i][1])
    for n, i in enumerate(order):
        _, x0, x1, y0, y1 = shapes[i]
        for j in order[n + 1:]:
            _, u0, u1, v0, v1 = shapes[j]
            if u0 > x1 + _RULE_SNAP:
                break
            if v0 <= y1 + _RULE_SNAP and v1 >= y0 - _RULE_SNAP:
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(shapes)):
        groups.setdefault(root(i), []).append(i)
    grids = []
    for members in groups.values():
        group = [shapes[i] for i in members]
        columns = _snap(s[1] for s in group if s[0] == "v")
        rows = _snap(s[3] for s in group if s[0] == "h")
        if len(columns) < _MIN_RULES and len(rows) < _MIN_RULES:
            continue
        grids.append(Grid(min(s[1] for s in group), max(s[2] for s in group),
                          min(s[3] for s in group), max(s[4] for s in group),
                          columns if len(columns) >= _MIN_RULES else [], rows))
    return grids


# Cells -------------------------------------------------------------------------------------

def _chunks(line: Line, grids: list[Grid]) -> list[list[Word]]:
    """The line's words split where the gap is wide or a column rule runs between them."""
    words = line.words
    if len(words) == 1:
        return [words]
    rules = [x for grid in grids if grid.bottom < line.middle < grid.top for x in grid.columns]
    wide = _CELL_GAP * line.height
    gaps = [b.x0 - a.x1 for a, b in zip(words, words[1:], strict=False)]
    if not rules and (max(gaps) <= wide or _justified(line, gaps)):
        return [words]
    chunks = [[words[0]]]
    for previous, word, gap in zip(words, words[1:], gaps, strict=False):
        if gap > wide or any(previous.x1 - 1 <= x <= word.x0 + 1 for x in rules):
            chunks.append([word])
        else:
            chunks[-1].append(word)
    return chunks


def _justified(line: Line, gaps: list[float]) -> bool:
    """Justified prose set word by word: most gaps stretched to the same width, between
    words of letters (cells are set apart by gaps of differing widths)."""
    if len(gaps) < _JUSTIFIED_WORDS - 1:
        return False
    widest, tolerance = max(gaps), 0.15 * line.height
    stretched = sum(1 for g in gaps if widest - g < tolerance)
    letters = sum(1 for w in line.words if any(c.isalpha() for c in w.text))
    return stretched >= 0.6 * len(gaps) and letters >= 0.6 * len(line.words)


def _text(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def _continues(text: str) -> bool:
    """Text that goes on from the line above: it starts in lower case, or is a year or a
    short number left over from a wrapped label ("Summa kostnader" / "2024")."""
    return text[:1].islower() or bool(re.fullmatch(r"\d{1,4}", text))


def _is_number(text: str) -> bool:
    return bool(_NUMBER.fullmatch(text))


def _tabular(line: Line) -> bool:
    """Split into cells whose later cells are short (numbers, years, column names)."""
    return len(line.chunks) > 1 and all(sum(w.n_words for w in c) <= _SHORT_CELL_WORDS
                                          for c in line.chunks[1:])


# Tables ------------------------------------------------------------------------------------

@dataclass
class Block:
    """Consecutive lines of one table (or a single text line when ``table`` is False)."""
    lines: list[Line]
    table: bool
    grid: Grid | None = None


def _tables(lines: list[Line], grids: list[Grid]) -> list[Block]:
    """The page's lines grouped into tables and text lines, top to bottom."""
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        grid = next((g for g in grids if g.holds(line)), None)
        if grid is not None:
            end = index
            while end + 1 < len(lines) and grid.holds(lines[end + 1]):
                end += 1
            members = lines[index:end + 1]
            if grid.columns or sum(_tabular(m) for m in members) >= 2:
                blocks.append(Block(members, True, grid))
            else:
                blocks += [Block([m], False) for m in members]
            index = end + 1
            continue
        end = _unruled_end(lines, index, grids) if _tabular(line) else index
        if end > index:
            start = index
            left = min(m.words[0].x0 for m in lines[index:end + 1])
            while blocks and not blocks[-1].table and _stacked_heading(
                    lines[start - 1], lines[start], left):
                blocks.pop()
                start -= 1
            blocks.append(Block(lines[start:end + 1], True))
            index = end + 1
        else:
            blocks.append(Block([line], False))
            index += 1
    return blocks


def _stacked_heading(above: Line, below: Line, left: float) -> bool:
    """``above`` is the upper part of a heading cell wrapped over two lines: short, set as
    closely as the lines of one cell, and over a value column, not the label column."""
    return (len(above.chunks) == 1 and above.n_words < _PROSE_WORDS
            and above.bottom - below.top < 0.25 * below.height
            and above.words[0].x0 > left + 2 * below.height)


def _unruled_end(lines: list[Line], start: int, grids: list[Grid]) -> int:
    """Index of the last line of an unruled table starting at ``start`` (a tabular line), or
    ``start`` when fewer than two tabular lines follow each other. A table ends at prose,
    a grid, or a gap clearly wider than the gaps between its rows (a caption or heading
    over the next table)."""
    gaps: list[float] = []
    last_tabular, index = start, start + 1
    while index < len(lines):
        line, previous = lines[index], lines[index - 1]
        gap = previous.bottom - line.top
        # The widest gap so far is one between rows; lines of a wrapped cell are closer.
        usual = max(gaps) if gaps else gap
        if any(g.holds(line) for g in grids) or gap > 2.5 * line.height:
            break
        if _tabular(line):
            last_tabular = index
        elif len(line.chunks) > 1 or line.n_words >= _PROSE_WORDS \
                or gap > max(_BLANK_GAP * line.height, 1.6 * usual):  # prose, a caption
            break
        gaps.append(gap)
        index += 1
    if last_tabular == start:
        return start
    # Single-cell lines after the last row belong to it only as its continuation.
    end = last_tabular
    usual = max(gaps)
    while end + 1 < index and (_continues(lines[end + 1].text) or
                               lines[end].bottom - lines[end + 1].top < 0.6 * usual):
        end += 1
    return end


def _separators(lines: list[Line], grid: Grid | None) -> list[float]:
    """x positions between columns: the grid's rules within the text, else the gaps no cell
    of a multi-cell line crosses, less those between two bands never filled in the same
    line: one column whose heading stands right and values left (or the other way)."""
    if grid is not None and grid.columns:
        left = min(w.x0 for line in lines for w in line.words)
        right = max(w.x1 for line in lines for w in line.words)
        return [x for x in grid.columns if left + 1 < x < right - 1]
    spans = sorted((c[0].x0, c[-1].x1) for line in lines if len(line.chunks) > 1
                   for c in line.chunks)
    separators = []
    reach = spans[0][1] if spans else 0.0
    for x0, x1 in spans[1:]:
        if x0 > reach:
            separators.append((reach + x0) / 2)
        reach = max(reach, x1)
    if len(separators) < 2:
        return separators
    filled = [{sum(1 for x in separators if x < (c[0].x0 + c[-1].x1) / 2) for c in line.chunks}
              for line in lines]
    kept, band = [], {0}  # the bands of the column being built
    for index, separator in enumerate(separators, start=1):
        if index > 1 and not any(band & f and index in f for f in filled):
            band.add(index)  # never beside the column's other band: the same column
        else:
            kept.append(separator)
            band = {index}
    return kept


def _cells(line: Line, separators: list[float]) -> list[list[Word]]:
    """The line's chunks in the columns their middles fall in."""
    cells: list[list[Word]] = [[] for _ in range(len(separators) + 1)]
    for chunk in line.chunks:
        middle = (chunk[0].x0 + chunk[-1].x1) / 2
        cells[sum(1 for x in separators if x < middle)] += chunk
    return cells


@dataclass
class Row:
    cells: list[str]
    top: float
    bottom: float

    @property
    def label_only(self) -> bool:
        return bool(self.cells[0]) and not any(self.cells[1:])

    @property
    def has_numbers(self) -> bool:
        return any(_is_number(c) and not _YEAR.fullmatch(c) for c in self.cells[1:])

    @property
    def lower_case(self) -> bool:
        """Every cell it has is the rest of a wrapped cell."""
        return all(_continues(c) for c in self.cells if c)

    def join(self, other: Row) -> None:
        self.cells = [" ".join(p for p in pair if p) for pair in zip(self.cells, other.cells,
                                                                     strict=True)]
        self.top, self.bottom = max(self.top, other.top), min(self.bottom, other.bottom)


def _table_rows(block: Block, separators: list[float]) -> list[Row]:
    rows = [Row([_text(c) for c in _cells(line, separators)], line.top, line.bottom)
            for line in block.lines]
    if block.grid is not None and len(block.grid.rows) >= _MIN_RULES:
        banded = _rows_by_rules(rows, block.grid.rows)
        if banded is not None:
            return banded
    return _rows_by_layout(rows, statistics.median(line.height for line in block.lines))


def _rows_by_rules(rows: list[Row], rules: list[float]) -> list[Row] | None:
    """Everything between two row rules is one row; None when the rules do not separate
    rows (two lines of numbers between the same rules: rules only around the heading)."""
    bands: dict[int, list[Row]] = {}
    for row in rows:
        middle = (row.top + row.bottom) / 2
        bands.setdefault(sum(1 for y in rules if y > middle), []).append(row)
    merged = []
    for members in bands.values():
        if sum(m.has_numbers for m in members) > 1:
            return None
        first = members[0]
        for member in members[1:]:
            first.join(member)
        merged.append(first)
    return merged


def _rows_by_layout(rows: list[Row], height: float) -> list[Row]:
    """Join the lines of wrapped cells in an unruled table: a line of text that continues
    in lower case or lies closer to its neighbour than rows lie to each other, values
    printed beside the middle of a wrapped label, and a heading stacked over two lines."""
    # Most gaps are between rows, the smaller ones between the lines of a wrapped cell.
    gaps = sorted(a.bottom - b.top for a, b in zip(rows, rows[1:], strict=False))
    row_gap = gaps[int(0.75 * (len(gaps) - 1))] if gaps else 0.0
    spaced = row_gap > 0.25 * height  # rows further apart than the lines of one cell
    merged: list[Row] = []
    for row in rows:
        previous = merged[-1] if merged else None
        if previous is None:
            merged.append(row)
            continue
        gap = previous.bottom - row.top
        # Lines of one cell lie closer than rows, which add the cells' padding.
        close = spaced and (gap < 0.6 * row_gap or gap < row_gap - 0.15 * height)
        if (not row.has_numbers and (row.lower_case or close)) \
                or (previous.label_only and row.cells[0] and gap < height
                    and (_continues(row.cells[0]) or close)) \
                or (previous.label_only and not row.cells[0] and row.has_numbers) \
                or (len(merged) == 1 and not row.cells[0] and not previous.has_numbers
                    and not row.has_numbers and gap < 0.5 * height):
            previous.join(row)
        else:
            merged.append(row)
    return merged


# Rendering ---------------------------------------------------------------------------------

def _render(blocks: list[Block], state: PageState) -> list[str]:
    out: list[str] = []
    previous_bottom: float | None = None
    first_table = True
    for block in blocks:
        top, height = block.lines[0].top, block.lines[0].height
        if previous_bottom is not None and previous_bottom - top > _BLANK_GAP * height:
            out.append("")
        previous_bottom = block.lines[-1].bottom
        if not block.table:
            text = block.lines[0].text
            out.append(text)
            if block.lines[0].n_words >= _PROSE_WORDS or _CAPTION.match(text):
                state.last_table = None  # prose or a caption: a table further on is new
            continue
        # Only the first table of a page, with no prose above it, continues the last one.
        previous = state.last_table if first_table else None
        first_table = False
        state.last_table = _table(block, previous)
        out += ["\t".join(cells) for cells in state.last_table.rows]
    return out


def _table(block: Block, previous: Table | None) -> Table:
    """The block's rows; a continuation of ``previous`` keeps its columns and drops its
    repeated heading row."""
    separators = _separators(block.lines, block.grid)
    if previous is not None and len(previous.separators) > len(separators):
        separators = previous.separators
    rows = _table_rows(block, separators)
    cells = [row.cells for row in rows]
    heading = cells[0] if cells and not Row(cells[0], 0, 0).has_numbers else None
    if previous is not None and previous.heading is not None and cells \
            and cells[0] == previous.heading:
        cells = cells[1:]
        heading = previous.heading
    return Table(separators, cells, heading)
