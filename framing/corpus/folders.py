"""Reader of a folder of documents: ``.txt`` files or saved web pages, with a metadata table.

The rules are in :func:`framing.corpus.read_corpus`; this module links files to the rows of
the metadata table, extracts the text of web pages (trafilatura) and removes a headline
repeated as the first line of a text.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .files import _HTML_SUFFIXES, _decode, _doc_files
from .schema import _CHECK, _ROW_COLUMNS, CorpusError, Errors, _is_missing
from .tables import _read_delimited


def _html_document(content: str) -> dict[str, str]:
    import trafilatura

    text = trafilatura.extract(content, include_comments=False, include_tables=False) or ""
    meta = trafilatura.extract_metadata(content)
    found = {"title": "", "published": "", "url": "", "sitename": ""}
    if meta is not None:
        found["title"] = meta.title or ""
        found["published"] = meta.date or ""
        found["url"] = meta.url or ""
        found["sitename"] = meta.sitename or ""
    found["text"] = text
    return found


def _read_folder(path: Path, *, fmt: str, names: dict[str, str | None], encoding: str | None,
                 metadata_table: str | Path | None, file_column: str, default_outlet: str | None,
                 errors: Errors, pre_dropped: list[dict[str, Any]],
                 decoded: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per document file: the metadata table's fields, the file and its text."""
    suffixes = (".txt",) if fmt == "txt" else _HTML_SUFFIXES
    rel = {p.relative_to(path).as_posix(): p for p in _doc_files(path, suffixes)}
    table_path = _metadata_table_path(path, metadata_table)
    has_table = table_path.exists()
    if has_table:
        table = _listed_files(path, table_path, rel, fmt=fmt, names=names, encoding=encoding,
                              file_column=file_column, errors=errors, pre_dropped=pre_dropped,
                              decoded=decoded)
    else:
        table = pd.DataFrame({"_match": list(rel)})
        table["_source"] = [str(rel[r]) for r in rel]
        table["_row"] = pd.Series([pd.NA] * len(rel), dtype="Int64")
    docs = []
    for r in table["_match"].tolist():
        info = {"file": str(rel[r])}
        content = _decode(rel[r].read_bytes(), encoding, file=str(rel[r]), info=info)
        decoded.append(info)
        docs.append({"text": content.strip()} if fmt == "txt" else _html_document(content))
    text_col = names["text"] or "text"
    out = table.drop(columns=["_match"]).copy()
    out[file_column] = table["_match"].tolist()
    out["_file"] = [str(rel[r]) for r in table["_match"]]
    out[text_col] = [d["text"] for d in docs]
    if fmt == "html":
        _page_fields(out, docs, names)
    title_lines = _drop_title_lines(out, title_col=names["title"], text_col=text_col,
                                    file_column=file_column)
    generated = []
    if names["outlet"] and names["outlet"] not in out.columns and not default_outlet and not has_table:
        # no metadata table: a first-level subfolder names the outlet (corpus/RT/a.txt -> "RT")
        subs = [r.split("/", 1)[0] if "/" in r else "" for r in table["_match"]]
        if any(subs):
            out[names["outlet"]] = subs
            generated.append("outlet")
    if names["doc_id"] and names["doc_id"] not in out.columns:
        out[names["doc_id"]] = [r.rsplit(".", 1)[0].replace(":", "_") for r in table["_match"]]
        generated.append("doc_id")
    out.attrs = {"generated": generated, "title_lines": title_lines}
    return out


def _metadata_table_path(path: Path, metadata_table: str | Path | None) -> Path:
    table_path = Path(metadata_table) if metadata_table is not None else path / "metadata.csv"
    if metadata_table is not None and not table_path.exists() and (path / table_path).exists():
        table_path = path / table_path
    if metadata_table is not None and not table_path.exists():
        raise FileNotFoundError(f"metadata table {str(table_path)!r} not found")
    return table_path


def _listed_files(path: Path, table_path: Path, rel: dict[str, Path], *, fmt: str,
                  names: dict[str, str | None], encoding: str | None, file_column: str, errors: Errors,
                  pre_dropped: list[dict[str, Any]], decoded: list[dict[str, Any]]) -> pd.DataFrame:
    """The metadata table's rows, each with the document file it names (column ``_match``).

    A row naming no existing file and a file named by no row are problems (raised, or
    recorded in ``pre_dropped`` as ``missing_file`` / ``unlisted_file``).
    """
    string_cols = {v for v in names.values() if v} | {file_column}
    text_col = names["text"] or "text"
    info: dict[str, Any] = {"file": str(table_path)}
    table = _read_delimited(table_path, sep="\t" if table_path.suffix.lower() in (".tsv", ".tab")
                            else ",", encoding=encoding, string_cols=string_cols, errors=errors,
                            pre_dropped=pre_dropped, info=info)
    decoded.append(info)
    if file_column not in table.columns:
        raise CorpusError(f"missing required column {file_column!r} linking rows to the "
                          f"{fmt} files (set file_column=)", file=str(table_path), column=file_column)
    if text_col in table.columns:
        raise CorpusError(f"the metadata table has a column {text_col!r}, but in a {fmt} "
                          "folder the text comes from the files", file=str(table_path),
                          column=text_col)
    suffixes = (".txt",) if fmt == "txt" else _HTML_SUFFIXES
    by_stem: dict[str, list[str]] = {}
    for r in rel:
        by_stem.setdefault(r.rsplit(".", 1)[0], []).append(r)
    resolved: list[str | None] = []
    for i, value in enumerate(table[file_column].tolist()):
        name = str(value).strip().replace("\\", "/")
        match = _match_file(name, rel, by_stem, suffixes)
        if match is None:
            problem = f"file {name!r} not found in {path}" if name else "no file name"
            if errors == "raise":
                raise CorpusError(problem, file=str(table_path), row=int(table["_row"].iat[i]),
                                  column=file_column)
            rec = {"source": str(table_path), "row": int(table["_row"].iat[i]), "column": file_column,
                   "reason": problem, _CHECK: "missing_file"}
            rec.update({c: table[c].iat[i] for c in table.columns if c not in _ROW_COLUMNS})
            pre_dropped.append(rec)
        resolved.append(match)
    table = table.assign(_match=resolved)
    table = table[table["_match"].notna()].reset_index(drop=True)
    listed = set(table["_match"])
    for r in (r for r in rel if r not in listed):
        problem = f"not listed in {table_path.name}"
        if errors == "raise":
            raise CorpusError(problem, file=str(rel[r]), column=file_column)
        pre_dropped.append({"source": str(rel[r]), "row": None, "column": file_column,
                            "reason": problem, _CHECK: "unlisted_file", file_column: r})
    return table


def _match_file(name: str, rel: dict[str, Path], by_stem: dict[str, list[str]],
                suffixes: tuple[str, ...]) -> str | None:
    """The document file a table row names: its relative path, with or without extension."""
    if name in rel:
        return name
    candidates = by_stem.get(name.rsplit(".", 1)[0] if name.lower().endswith(suffixes) else name, [])
    return candidates[0] if len(candidates) == 1 else None


def _page_fields(out: pd.DataFrame, docs: list[dict[str, str]], names: dict[str, str | None]) -> None:
    """Title, date and URL from the web pages where the metadata table does not give them."""
    for field in ("title", "published", "url"):
        col = names[field]
        if not col:
            continue
        page = [d[field] for d in docs]
        if col in out.columns:
            given = out[col].tolist()
            out[col] = [g if not _is_missing(g) and str(g).strip() else p
                        for g, p in zip(given, page, strict=True)]
        else:
            out[col] = page
    out["sitename"] = [d["sitename"] for d in docs]


def _drop_title_lines(out: pd.DataFrame, *, title_col: str | None, text_col: str,
                      file_column: str) -> list[dict[str, str]]:
    """Remove the headline repeated as the first line of each text (trafilatura does it, and
    so do many saved articles); returns the removals for the provenance."""
    title_lines: list[dict[str, str]] = []
    if not title_col or title_col not in out.columns:
        return title_lines
    texts = []
    for t, ttl, f in zip(out[text_col].tolist(), out[title_col].tolist(),
                         out[file_column].tolist(), strict=True):
        new, line = _drop_title_line(t, "" if _is_missing(ttl) else str(ttl))
        texts.append(new)
        if line is not None:
            title_lines.append({"file": f, "line": line})
    out[text_col] = texts
    return title_lines


#: Leading furniture lines (a breadcrumb, a byline ...) looked past when searching the
#: headline line of a document file.
_TITLE_LINE_SKIP = 3


def _drop_title_line(text: str, title: str) -> tuple[str, str | None]:
    """Remove the headline line from the start of ``text``.

    The first non-empty line (or the first block of lines before a blank line, for a
    wrapped headline) is removed when it equals ``title`` up to case, whitespace, quotes,
    dashes and surrounding punctuation (:func:`framing.boilerplate.same_text`). Up to
    ``_TITLE_LINE_SKIP`` page-furniture lines before it (a breadcrumb such as "News / World")
    are looked past and kept. Returns the text and the removed line (None when nothing was
    removed; never when the headline is all there is).
    """
    if not title.strip() or not text:
        return text, None
    from framing.boilerplate import is_furniture, same_text

    lines = text.splitlines(keepends=True)
    skipped = 0
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].strip():
            j += 1
        for end in (i + 1, j) if j > i + 1 else (i + 1,):
            head = "".join(lines[i:end])
            if same_text(head, title):
                before, after = "".join(lines[:i]), "".join(lines[end:])
                if not after.strip():
                    return text, None
                new = after.strip() if not before.strip() else before + after.lstrip("\r\n")
                return new, head.strip()
        if skipped >= _TITLE_LINE_SKIP or is_furniture(lines[i]) is None:
            break
        skipped += 1
        i += 1
    return text, None
