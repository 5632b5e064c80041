"""Small text helpers shared by the extractors and the pipelines, and the pure guards that let
them survive hostile input (issue 11): `safe_url`, `looks_binary`, `decode_html`, `too_deep` /
`selector_for`, and `problem_counts` for the "problems" lists the readers fill."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree
from parsel import Selector
from w3lib.encoding import html_to_unicode
from w3lib.url import safe_url_string

LOGGER = logging.getLogger(__name__)
_SPACE = re.compile(r"\s+")
_URL_NOISE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(33)))


def clean(text: str | None) -> str:
    """Collapse whitespace (NBSP included) and normalise to NFC."""
    if not text:
        return ""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


# Compiled once: lxml would otherwise compile the expression on every call, and a parsel
# Selector per text node costs more than the text itself.
_VISIBLE_TEXT = etree.XPath(
    "descendant::text()[not(ancestor::script or ancestor::style)] | descendant::br",
    smart_strings=False,
)


def node_text(node: Selector) -> str:
    """The visible text of one element, whitespace-collapsed."""
    root = node.root
    if isinstance(root, str):  # a text or attribute result: already text
        return clean(root)
    # Text nodes are joined as printed (inline links sit inside words' spacing);
    # a <br> is the only inline element that stands for a space.
    parts = _VISIBLE_TEXT(root)
    return clean("".join(part if isinstance(part, str) else " " for part in parts))


def any_of(patterns: Iterable[re.Pattern[str] | str], flags: int = 0) -> re.Pattern[str]:
    """One pattern matching where any of `patterns` (compiled or source) matches, one that
    never matches for none: a line costs one regex call, not one per pattern."""
    sources = (p.pattern if isinstance(p, re.Pattern) else p for p in patterns)
    joined = "|".join(f"(?:{source})" for source in sources)
    return re.compile(joined or r"(?!)", flags)


def first_text(sel: Selector, css_list: tuple[str, ...]) -> str | None:
    """Text of the first selector in the list that matches something non-empty."""
    for css in css_list:
        for node in sel.css(css):
            text = node_text(node)
            if text:
                return text
    return None


def first_attr(sel: Selector, css_list: tuple[str, ...]) -> str | None:
    """First non-empty value of selectors ending in ::attr(...)."""
    for css in css_list:
        value = clean(sel.css(css).get())
        if value:
            return value
    return None


@lru_cache(maxsize=1024)  # one story's paragraphs are folded by several stages
def fold(text: str) -> str:
    """A comparison key: case-folded, whitespace-collapsed, curly quotes made straight."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    return clean(text.replace("\u201d", '"')).casefold()


def word_count(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


# ---------------------------------------------------------------------------------------------
# Problems: how the pure helpers report a malformed value without raising (issue 11)


def problem_counts(problems: Iterable[str]) -> dict[str, int]:
    """Stat names (without the ``newsbite/`` prefix) for one page's problems, each once.

    The pure readers (``newsbite.extract.jsonld``, ``newsbite.extract.dates``,
    ``safe_url``...) append short names to a caller's ``problems`` list. A page that repeats
    a problem counts it once: ``date_*`` names are their own stat (``date_rejected``,
    ``date_future``), every other name is ``field_rejected/<name>``.
    """
    counts: dict[str, int] = {}
    for name in dict.fromkeys(problems):
        stat = name if name.startswith("date_") else f"field_rejected/{name}"
        counts[stat] = counts.get(stat, 0) + 1
    return counts


def note(problems: list[str] | None, name: str, detail: object = None) -> None:
    """Record one problem: into the caller's list, or, with no list, a WARNING of its own."""
    if problems is not None:
        problems.append(name)
    else:
        LOGGER.warning("rejected malformed value (%s): %.120r", name, detail)


# ---------------------------------------------------------------------------------------------
# URLs


def safe_url(base: str | None, href: object) -> str | None:
    """An absolute http(s) URL for ``href`` read on page ``base``; None for anything else.

    ``javascript:``, ``data:``, ``vbscript:``, ``file:`` and the like are refused, however they
    are disguised (case, leading spaces, tabs or newlines inside the scheme, which browsers
    ignore). Relative and protocol-relative links are joined to ``base``. The result is
    percent-encoded (w3lib) so that it holds no spaces.
    """
    if not isinstance(href, str):
        return None
    # Browsers strip ASCII tab/newline anywhere and C0 controls/space at both ends.
    href = _URL_NOISE.sub("", href).strip(_C0_AND_SPACE)
    if not href:
        return None
    try:
        parts = urlsplit(urljoin(base or "", href))
        host = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    return safe_url_string(urlunsplit(parts))


# ---------------------------------------------------------------------------------------------
# Hostile bodies: binary payloads, unknown charsets, absurd nesting


_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"%PDF-",
    b"PK\x03\x04",  # zip, docx, epub
    b"\x1f\x8b",  # gzip served without Content-Encoding
    b"BZh",
    b"\xfd7zXZ\x00",
    b"7z\xbc\xaf\x27\x1c",
    b"\x28\xb5\x2f\xfd",  # zstd
    b"II*\x00",  # TIFF
    b"MM\x00*",
    b"\x00\x00\x01\x00",  # ICO
    b"OggS",
    b"fLaC",
    b"ID3",  # MP3
    b"\x1a\x45\xdf\xa3",  # Matroska / WebM
    b"wOFF",
    b"wOF2",
    b"\x00asm",
    b"\x7fELF",
    b"\xca\xfe\xba\xbe",
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# C0 controls that never occur in text (tab, LF, FF, CR and ESC of ISO-2022 are allowed).
_CONTROL_BYTES = frozenset(set(range(32)) - {9, 10, 12, 13, 27}) | {127}
_CONTROL_DELETE = bytes(sorted(_CONTROL_BYTES))
_SNIFF = 4096


def looks_binary(body: bytes) -> bool:
    """Whether a body served as HTML is in fact binary (an image, an archive, an executable...).

    A known magic number, NUL bytes that are not UTF-16 text, or more than 10% of control
    characters in the first 4 KiB. An empty body is not binary (it is another reason).
    """
    head = body[:_SNIFF]
    if not head or head.startswith(_BOMS):
        return False
    if head.startswith(_MAGIC) or head[8:12] in (b"WEBP", b"WAVE", b"AVI ") or head[4:8] == b"ftyp":
        return True
    nul = head.count(0)
    if nul:
        # UTF-16 without a BOM: ASCII text leaves every other byte NUL, on one side.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        return not (nul > len(head) * 0.3 and min(even, odd) <= nul * 0.02)
    controls = len(head) - len(head.translate(None, _CONTROL_DELETE))  # C speed, not a loop
    return controls > len(head) * 0.10


def sniff_encoding(body: bytes, content_type: str | None = None) -> str:
    """The encoding of an HTML body, by the WHATWG order, with windows-1252 for Latin text.

    Order (w3lib.encoding.html_to_unicode, which follows the WHATWG sniffing algorithm): a BOM,
    then the HTTP ``Content-Type`` charset, then ``<meta charset>`` / ``http-equiv``, and only
    then detection. ``content_type`` may be the whole header value or a bare charset name.
    """
    return _decode(body, content_type)[1]


def decode_html(body: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """(text, encoding) of an HTML body; see `sniff_encoding` for the order.

    Why not Scrapy's own: Scrapy 2.19's ``TextResponse._auto_detect_fun`` falls back to
    charset-normalizer's ``from_bytes(body).best()``, which ranks cp1250 and cp1252 equal for
    Western European text and returns cp1250 first ("naïve" becomes "naďve"). WHATWG browsers
    use windows-1252 for undeclared Latin pages, and so do we when the bytes allow it.
    """
    return _decode(body, header_charset)


def _decode(body: bytes, header: str | None) -> tuple[str, str]:
    content_type = None
    if header:
        content_type = header if "charset" in header.lower() else f"text/html; charset={header}"
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=detect_encoding)
    return text, encoding


def detect_encoding(body: bytes) -> str | None:
    """Detection for an undeclared body: UTF-8 when valid; else windows-1252 when the detector
    takes the text for a Latin-script code page and windows-1252 reads it about as well (the
    detector's own ranking among cp1250, cp1252 and cp1257 is a coin toss for Western text);
    else the detector's guess (cp1250 for Polish, cp1251, Shift_JIS...)."""
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only undeclared, non-UTF-8 pages need it

    matches = list(from_bytes(body[:20000] if len(body) > 40000 else body))
    if not matches:
        return "cp1252" if _decodes(body, "cp1252") else None
    best = matches[0]
    if best.encoding not in _LATIN_CODECS or not _decodes(body, "cp1252"):
        return best.encoding
    for match in matches:
        western = match.encoding == "cp1252" or "cp1252" in match.could_be_from_charset
        if western and match.chaos <= best.chaos + 0.05:
            return "cp1252"
    return best.encoding


# Single-byte code pages of Latin-script languages (Python codec names, as the detector gives).
_LATIN_CODECS = frozenset(
    "cp1250 cp1252 cp1254 cp1257 cp1258 latin_1 iso8859_2 iso8859_3 iso8859_4 iso8859_9"
    " iso8859_10 iso8859_13 iso8859_14 iso8859_15 iso8859_16 mac_latin2 mac_roman mac_iceland"
    " mac_turkish cp437 cp775 cp850 cp852 cp858 cp860 cp861 cp863 cp865".split()
)


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


# libxml2 (lxml 6) stops building the tree at depth 256, or 2048 with huge_tree (parsel's
# default); everything after that point is lost, so a story under 10,000 divs parses empty.
DEPTH_LIMIT = 1000
FLAT_DEPTH = 200
# Tags that only wrap: beyond FLAT_DEPTH their tags are dropped and their content kept.
_WRAPPERS = frozenset(
    "div span section font center b i u em strong small big main article header footer".split()
)
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Elements HTML closes implicitly: not counted, so an unclosed <p> does not inflate depth.
_IMPLIED = frozenset("p li dt dd option tr td th thead tbody tfoot colgroup rb rt rp".split())


def too_deep(sel: Selector, limit: int = DEPTH_LIMIT) -> bool:
    """Whether the parsed page nests elements ``limit`` deep (it was, or nearly was, cut)."""
    root = sel.root
    if not isinstance(root, etree._Element):
        return False
    # One compiled /*/*/... path: libxml2 walks it in C, ~50x faster than iterwalk in Python.
    return bool(_depth_probe(limit)(root))


@cache
def _depth_probe(limit: int) -> etree.XPath:
    return etree.XPath("boolean(/" + "/".join(["*"] * limit) + ")")


def flatten_deep(html: str, max_depth: int = FLAT_DEPTH) -> str:
    """The page with wrapper tags (div, span...) below ``max_depth`` removed, content kept.

    Elements with an ``id`` are kept at any depth (parsers select on ids); so are every
    non-wrapper element (p, figure, aside, nav, a...), whose meaning parsers rely on.
    """
    flattener = _Flattener(max_depth)
    flattener.feed(html)
    flattener.close()
    return "".join(flattener.out)


def selector_for(html: str, sel: Selector | None = None) -> tuple[Selector, list[str]]:
    """A selector that holds the whole page, and the problems met making it.

    Pass Scrapy's ``response.selector`` as ``sel`` to reuse it when the page is sane (the
    common case costs one walk of the tree). A page nested past ``DEPTH_LIMIT`` is flattened
    and parsed again (problem ``deep_nesting``); one still too deep after that gives
    ``too_deep`` too, and the caller should drop it with that reason.
    """
    sel = sel if sel is not None else Selector(text=html)
    if not too_deep(sel):
        return sel, []
    flat = Selector(text=flatten_deep(html))
    problems = ["deep_nesting"]
    if too_deep(flat):
        problems.append("too_deep")
    return flat, problems


class _Flattener(HTMLParser):
    """Re-emits the source as written, minus the start/end tags of deep anonymous wrappers."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(convert_charrefs=False)
        self.max_depth = max_depth
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # open tracked elements: (tag, kept)
        self.depth = 0  # kept tracked elements open

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or f"<{tag}>"
        if tag in _VOID or tag in _IMPLIED:
            self.out.append(raw)
            return
        keep = (
            self.depth < self.max_depth
            or tag not in _WRAPPERS
            or any(name == "id" and value for name, value in attrs)
        )
        self.stack.append((tag, keep))
        if keep:
            self.depth += 1
            self.out.append(raw)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                break
        else:
            self.out.append(f"</{tag}>")  # stray or untracked end tag: as written
            return
        closed = self.stack[index:]
        del self.stack[index:]
        self.depth -= sum(1 for _, kept in closed if kept)
        if closed[0][1]:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")
