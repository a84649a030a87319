"""Files on disk: format detection, decoding (byte-order marks, UTF-16/32, wrong encodings).

Shared by the table and folder readers of :mod:`framing.corpus`.
"""
from __future__ import annotations

import codecs
import hashlib
import io
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .schema import _ROW_COLUMNS, CorpusError, CorpusWarning, _is_missing

_FORMATS = ("csv", "tsv", "jsonl", "json", "parquet", "txt", "html")
_SUFFIX_FORMAT = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl",
                  ".ndjson": "jsonl", ".json": "json", ".parquet": "parquet", ".pq": "parquet"}
_HTML_SUFFIXES = (".html", ".htm")
_NA_STRINGS = ["", "#N/A", "N/A", "NA", "NaN", "nan", "null", "NULL", "None", "n/a", "<NA>",
               "-NaN", "-nan", "#NA"]
_DEFAULT_NAMES = {"text": "text", "outlet": "outlet", "published": "published",
                  "title": "title", "doc_id": "doc_id", "url": "url", "lang": "lang"}
#: Byte-order marks, longest first: (bytes, codec that removes it, name)
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32", "UTF-32-LE"), (b"\x00\x00\xfe\xff", "utf-32", "UTF-32-BE"),
         (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"), (b"\xff\xfe", "utf-16", "UTF-16-LE"),
         (b"\xfe\xff", "utf-16", "UTF-16-BE"))




def _codec(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None


def _decode(data: bytes, encoding: str | None, *, file: str = "",
            info: dict[str, Any] | None = None) -> str:
    """Decode a file's bytes; bad bytes become U+FFFD (reported per row by validation).

    A byte-order mark decides (UTF-8, UTF-16, UTF-32); with ``encoding`` left at None the
    text is UTF-8. UTF-16 without a byte-order mark is an error saying which encoding to
    pass. ``info`` (when given) receives ``encoding`` (what was used) and ``utf8_suspect``
    (a non-UTF encoding was given but the bytes are valid UTF-8 with non-ASCII characters).
    """
    info = {} if info is None else info
    given = _codec(encoding) if encoding else None
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            family = name.lower()
            if given is not None and given not in (family, family[:6], family + "-sig"):
                warnings.warn(f"{file}: the file starts with a {name} byte-order mark; read as "
                              f"{name}, not as {encoding!r}", CorpusWarning, stacklevel=5)
            info.update(encoding=name, bom=True, utf8_suspect=False)
            return data.decode(codec, errors="replace")
    codec = given or "utf-8"
    if codec in ("utf-8", "utf-8-sig", "utf_8"):
        head = data[:4096]
        if len(head) >= 4:
            even, odd = head[0::2].count(0), head[1::2].count(0)
            half = len(head) // 2
            if max(even, odd) > 0.4 * half and min(even, odd) < 0.1 * half:
                guess = "utf-16-le" if odd > even else "utf-16-be"
                raise CorpusError(f"the file looks like UTF-16 without a byte-order mark (NUL "
                                  f"bytes between the letters); pass encoding={guess!r}",
                                  file=file)
            if min(even, odd) > 0.3 * half:
                guess = "utf-32-le" if head[0] != 0 else "utf-32-be"
                raise CorpusError(f"the file looks like UTF-32 without a byte-order mark (three "
                                  f"NUL bytes per letter); pass encoding={guess!r}", file=file)
    suspect = False
    if not codec.startswith(("utf-8", "utf_8", "utf-16", "utf-32")) and not data.isascii():
        try:
            data.decode("utf-8")
            suspect = True
        except UnicodeDecodeError:
            pass
    info.update(encoding=encoding or "utf-8", bom=False, utf8_suspect=suspect)
    return data.decode(codec, errors="replace")


def _read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix.lower() == ".gz":
        import gzip

        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise CorpusError(f"not a readable gzip file: {exc}", file=str(path)) from exc
    return data


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _doc_files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _infer_format(path: Path, format: str | None) -> str:
    if format is not None:
        fmt = format.lower().lstrip(".")
        fmt = {"ndjson": "jsonl", "htm": "html", "text": "txt", "pq": "parquet"}.get(fmt, fmt)
        if fmt not in _FORMATS:
            raise ValueError(f"unknown format {format!r}; use one of {list(_FORMATS)}")
        if fmt in ("txt", "html") and not path.is_dir():
            raise CorpusError(f"format {fmt!r} reads a folder, but this is a file", file=str(path))
        if fmt not in ("txt", "html") and path.is_dir():
            raise CorpusError(f"format {fmt!r} reads a file, but this is a folder", file=str(path))
        return fmt
    if path.is_dir():
        has_txt = bool(_doc_files(path, (".txt",)))
        has_html = bool(_doc_files(path, _HTML_SUFFIXES))
        if has_txt and has_html:
            raise CorpusError("folder holds both .txt and .html files; pass format='txt' or "
                              "format='html'", file=str(path))
        if not (has_txt or has_html):
            raise CorpusError("folder holds no .txt or .html files", file=str(path))
        return "txt" if has_txt else "html"
    suffix = path.suffix.lower()
    if suffix == ".gz":
        suffix = Path(path.stem).suffix.lower()
        if _SUFFIX_FORMAT.get(suffix) == "parquet":
            suffix = ""
    fmt = _SUFFIX_FORMAT.get(suffix)
    if fmt is None:
        raise CorpusError(f"cannot tell the format from the extension {path.suffix!r}; pass "
                          f"format= one of {list(_FORMATS)}", file=str(path))
    return fmt


def _record_lines(text: str) -> list[str]:
    return io.StringIO(text, newline="").readlines()


def _check_wrong_encoding(raw: pd.DataFrame, decoded: list[dict[str, Any]], *, fmt: str,
                          text_col: str) -> None:
    """Raise when a file that is valid UTF-8 was read with another explicit encoding.

    Such a file turns "café" into "cafÃ©" in every row; the error names the first row and
    column where it shows and what the text would be read as UTF-8.
    """
    suspects = [d for d in decoded if d.get("utf8_suspect")]
    if not suspects:
        return
    for d in suspects:
        enc = d["encoding"]
        if fmt in ("txt", "html") and "_file" in raw.columns and d["file"] in set(raw["_file"]):
            i = int(np.flatnonzero((raw["_file"] == d["file"]).to_numpy())[0])
            columns = [text_col] if text_col in raw.columns else []
            columns += [c for c in raw.columns if c not in columns and c not in _ROW_COLUMNS]
            rows_to_scan: Iterable[int] = [i]
        else:
            columns = [c for c in raw.columns if c not in _ROW_COLUMNS]
            rows_to_scan = range(len(raw))
            if "_source" in raw.columns:
                rows_to_scan = [j for j in rows_to_scan if raw["_source"].iat[j] == d["file"]]
        for j in rows_to_scan:
            for c in columns:
                v = raw[c].iat[j]
                if not isinstance(v, str) or v.isascii():
                    continue
                try:
                    fixed = v.encode(enc).decode("utf-8")
                except UnicodeError:
                    continue
                if fixed != v:
                    k = next(x for x in range(len(v)) if v[x] != fixed[x:x + 1])
                    shown, meant = v[max(0, k - 10):k + 10], fixed[max(0, k - 10):k + 8]
                    doc_file = fmt in ("txt", "html") and c == text_col
                    row = None if doc_file or "_row" not in raw.columns else raw["_row"].iat[j]
                    raise CorpusError(
                        f"{shown!r} looks like UTF-8 read as {enc!r}: the file is valid UTF-8, "
                        f"where it reads {meant!r}; pass encoding='utf-8' (or leave encoding= out)",
                        file=d["file"], row=None if _is_missing(row) else int(row), column=c)
        raise CorpusError(f"the file is valid UTF-8 but was read as {enc!r}; its non-ASCII "
                          "characters would be garbled: pass encoding='utf-8' (or leave "
                          "encoding= out)", file=d["file"])
