"""The search vocabulary (检索词表): words residents type → the official terms of the catalogue.

娃 → 子女, 儿童, 出生; 新农合 → 城乡居民医疗保险; 走了 → 死亡, 注销. Administrators maintain it in the
admin or as a TSV file (format in docs/catalog.md); every change is a `SynonymVersion`. The search
engine reads it through `stamp()` (one cheap query, on every search) and `load()` (when the stamp
moved). Words and terms are stored normalised the way search normalises queries (NFKC, lower case).

Errors: `VocabularyError` (an `Invalid`) with codes `vocabulary.*`; a bad line of an import file is
not an exception but a `RowError` in the import's report, as for catalogue files (importexport.py).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from tongban.catalog.importexport import RowError
from tongban.catalog.models import Synonym, SynonymVersion
from tongban.core import clock
from tongban.core.errors import Conflict, Invalid
from tongban.textmining.search import normalise  # words are stored as search reads queries

MAX_WORD = 20
MAX_TERM = 30
MAX_TERMS_TEXT = 500  # Synonym.terms, "；"-joined
MAX_NOTE = 200
STORED_SEPARATOR = "；"
# Terms are separated by '|' or '；' in files and forms; NFKC turns '；' into ';', so that counts too.
_SEPARATORS = re.compile(r"[|；;]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
COLUMNS = {"word": "口语词", "terms": "规范用语", "note": "说明", "enabled": "启用"}
_YES = {"是", "1", "true", "yes", "启用", "y"}
_NO = {"否", "0", "false", "no", "停用", "n"}


class VocabularyError(Invalid):
    """A vocabulary entry was refused; the message is shown to the user as is."""

    code = "vocabulary.invalid"


@dataclass(frozen=True)
class Entry:
    """One validated, normalised vocabulary entry. `enabled` None: keep as is (new entries: enabled)."""

    word: str
    terms: tuple[str, ...]
    note: str = ""
    enabled: bool | None = None


@dataclass(frozen=True)
class Problem:
    code: str
    column: str  # a key of COLUMNS
    message: str


def split_terms(terms: str | Iterable[str]) -> tuple[str, ...]:
    """Normalised terms, in order, without empties and repeats. A string is split on '|' and '；'.

    Split after NFKC, so that no stored term holds a separator (﹔ becomes ;): an exported entry reads
    back the same. A list's items are split alike."""
    text = terms if isinstance(terms, str) else "|".join(terms)
    out: list[str] = []
    for part in _SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        term = normalise(part)
        if term and term not in out:
            out.append(term)
    return tuple(out)


def problems(word: str, terms: str | Iterable[str], note: str = "") -> tuple[Entry, list[Problem]]:
    """Normalise an entry and list everything wrong with it (nothing is written)."""
    entry = Entry(normalise(word), split_terms(terms), (note or "").strip())
    found: list[Problem] = []
    if not entry.word:
        found.append(Problem("vocabulary.word_invalid", "word", "口语词不能为空"))
    elif len(entry.word) > MAX_WORD:
        found.append(Problem("vocabulary.word_invalid", "word", f"口语词不能超过 {MAX_WORD} 字：{entry.word}"))
    elif _CONTROL.search(entry.word):
        found.append(Problem("vocabulary.word_invalid", "word", "口语词中不能有制表符、换行等控制字符"))
    elif entry.word.startswith("#"):  # a vocabulary file would read the line as a comment
        found.append(Problem("vocabulary.word_invalid", "word", "口语词不能以 # 开头"))
    if not entry.terms:
        found.append(Problem("vocabulary.terms_empty", "terms", "至少填写一个对应规范用语"))
    for term in entry.terms:
        if len(term) > MAX_TERM:
            found.append(Problem("vocabulary.term_invalid", "terms", f"规范用语不能超过 {MAX_TERM} 字：{term}"))
        elif _CONTROL.search(term):
            found.append(Problem("vocabulary.term_invalid", "terms", "规范用语中不能有制表符、换行等控制字符"))
    if len(STORED_SEPARATOR.join(entry.terms)) > MAX_TERMS_TEXT:
        found.append(Problem("vocabulary.terms_too_long", "terms", f"规范用语合计不能超过 {MAX_TERMS_TEXT} 字"))
    if entry.word and entry.terms == (entry.word,):
        found.append(Problem("vocabulary.term_is_word", "terms", f"口语词 {entry.word} 与其唯一的规范用语相同"))
    if len(entry.note) > MAX_NOTE:
        found.append(Problem("vocabulary.note_invalid", "note", f"说明不能超过 {MAX_NOTE} 字"))
    elif _CONTROL.search(entry.note):
        found.append(Problem("vocabulary.note_invalid", "note", "说明中不能有制表符、换行等控制字符"))
    return entry, found


def clean(word: str, terms: str | Iterable[str], note: str = "") -> Entry:
    """The normalised entry, or VocabularyError with the first problem's code."""
    entry, found = problems(word, terms, note)
    if found:
        raise VocabularyError(found[0].message, code=found[0].code)
    return entry


# ---- reading: what the search engine calls ------------------------------------------------------

# Bumped by every write in this process. A rolled-back write (a test's transaction) can leave the
# database as it was, ids reused on SQLite; the bump makes the stamp differ all the same.
_writes = itertools.count(1)
_generation = 0


def _bump() -> None:
    global _generation
    _generation = next(_writes)


def generation() -> int:
    """How many vocabulary writes this process has made (free to read: no query)."""
    return _generation


def stamp() -> str:
    """Changes whenever the vocabulary changes. One query: entries counted, newest version id."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT COUNT(*) FROM {quote(Synonym._meta.db_table)}), "
                       f"(SELECT MAX(id) FROM {quote(SynonymVersion._meta.db_table)})")
        count, last = cursor.fetchone()
    return f"{count}:{last or 0}:{_generation}"


def load() -> dict[str, tuple[str, ...]]:
    """The enabled entries: word → official terms (in the order the administrator gave them)."""
    rows = Synonym.objects.filter(enabled=True).order_by("word").values_list("word", "terms")
    return {word: tuple(t for t in terms.split(STORED_SEPARATOR) if t) for word, terms in rows}


def current() -> tuple[str, dict[str, tuple[str, ...]]]:
    """(stamp, mapping). The stamp is taken first, so it may be older than the mapping, never newer:
    a change in between only costs one more rebuild."""
    return stamp(), load()


# ---- writing ------------------------------------------------------------------------------------

def _outcome(existing: Synonym | None, entry: Entry, enabled: bool) -> str:
    if existing is None:
        return "created"
    same = (existing.terms, existing.note, existing.enabled) == (STORED_SEPARATOR.join(entry.terms), entry.note,
                                                                  enabled)
    return "unchanged" if same else "updated"


def _save(entry: Entry, *, enabled: bool | None, source: str, changed_by: str) -> tuple[Synonym, str]:
    """Inside a transaction: create or update one entry, with a version when anything changed."""
    synonym = Synonym.objects.select_for_update().filter(word=entry.word).first()
    if enabled is None:
        enabled = synonym.enabled if synonym is not None else True
    outcome = _outcome(synonym, entry, enabled)
    if outcome == "unchanged":
        assert synonym is not None
        return synonym, outcome
    now = clock.now()
    if synonym is None:
        synonym = Synonym(word=entry.word)
    synonym.terms, synonym.note, synonym.enabled = STORED_SEPARATOR.join(entry.terms), entry.note, enabled
    synonym.updated_at, synonym.updated_by = now, changed_by
    synonym.save()
    latest = synonym.versions.aggregate(last=Max("version"))["last"] or 0
    SynonymVersion.objects.create(synonym=synonym, word=synonym.word, version=latest + 1, terms=synonym.terms,
                                  enabled=enabled, note=synonym.note, source=source, changed_by=changed_by,
                                  changed_at=now)
    _bump()
    return synonym, outcome


def _check_source(source: str) -> None:
    if source not in SynonymVersion.Source.values:
        raise VocabularyError(f"未知的修改来源：{source}", code="vocabulary.source_invalid")


def do_save_synonym(word: str, terms: str | Iterable[str], *, note: str = "", enabled: bool = True, source: str,
                    changed_by: str) -> Synonym:
    """Create or update the entry for `word`; a new SynonymVersion only when something changed.

    `terms`: a list, or a string separated by '|' or '；'. `source`: admin / import / default.
    Locks: the entry's row (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transaction
    serialises writers). Two sessions creating the same new word at once: the second gets
    `vocabulary.conflict` and changes nothing.
    """
    _check_source(source)
    entry = clean(word, terms, note)
    try:
        with transaction.atomic():
            synonym, _ = _save(entry, enabled=enabled, source=source, changed_by=changed_by)
    except IntegrityError:
        raise Conflict(f"口语词 {entry.word} 刚被他人同时新增，请刷新后重试", code="vocabulary.conflict") from None
    return synonym


# ---- files --------------------------------------------------------------------------------------

@dataclass
class ParsedFile:
    entries: list[tuple[int, Entry]] = field(default_factory=list)  # (line number, entry)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class VocabularyImport:
    """What an import did (or, with dry_run, would do). Any error: nothing was written."""

    entries: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _enabled_cell(value: str) -> bool | None:
    value = normalise(value)
    if not value:
        return None
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueError(value)


def parse(text: str) -> ParsedFile:
    """Validate a vocabulary TSV completely; every bad line is reported with its number (1 = first line).

    Blank lines and lines starting with '#' are skipped. The header names the columns: `word` and
    `terms` required, `note` and `enabled` (是/否; empty: keep as is) optional, in any order.
    """
    result = ParsedFile()
    lines = [line.removesuffix("\r") for line in text.removeprefix("\ufeff").split("\n")]
    numbered = [(n, line) for n, line in enumerate(lines, start=1)
                if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        result.errors.append(RowError(1, "文件为空（需要表头 word<TAB>terms<TAB>note）"))
        return result
    header_line, header = numbered[0]
    names = [h.strip().lower() for h in header.split("\t")]
    index = {name: i for i, name in reversed(list(enumerate(names)))}
    header_errors = [f"表头有未知的列：{n}（可用：{'、'.join(COLUMNS)}）" for n in names if n not in COLUMNS]
    header_errors += [f"表头有重复的列：{n}" for n in COLUMNS if names.count(n) > 1]
    header_errors += [f"缺少必需的列：{n}" for n in ("word", "terms") if n not in index]
    if header_errors:
        result.errors += [RowError(header_line, e) for e in header_errors]
        return result
    first_line: dict[str, int] = {}
    for number, line in numbered[1:]:
        cells = [c.strip() for c in line.split("\t")]
        errors: list[RowError] = []
        if any(cells[len(names):]):
            errors.append(RowError(number, f"本行有 {len(cells)} 列，多于表头的 {len(names)} 列"))

        def cell(name: str, cells: list[str] = cells) -> str:
            i = index.get(name)
            return cells[i] if i is not None and i < len(cells) else ""

        entry, found = problems(cell("word"), cell("terms"), cell("note"))
        errors += [RowError(number, p.message, p.column) for p in found]
        try:
            entry = Entry(entry.word, entry.terms, entry.note, _enabled_cell(cell("enabled")))
        except ValueError as exc:
            errors.append(RowError(number, f"启用应填 是 或 否，而不是 {exc}", "enabled"))
        if entry.word and entry.word in first_line:
            errors.append(RowError(number, f"口语词 {entry.word} 与第 {first_line[entry.word]} 行重复", "word"))
        first_line.setdefault(entry.word, number)
        if errors:
            result.errors += errors
        else:
            result.entries.append((number, entry))
    if not result.entries and not result.errors:
        result.errors.append(RowError(header_line, "文件中没有词条"))
    return result


def read_text(path: Path) -> tuple[str, list[RowError]]:
    """A file's text (UTF-8, BOM allowed), or the lines that are not UTF-8."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        bad = []
        for number, raw_line in enumerate(raw.split(b"\n"), start=1):
            try:
                raw_line.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad.append(RowError(number, f"不是 UTF-8 编码（本行第 {exc.start + 1} 字节）；请另存为 UTF-8"))
        return "", bad or [RowError(1, "文件不是 UTF-8 编码")]


def do_import_vocabulary(source: Path | str, *, changed_by: str, dry_run: bool = False) -> VocabularyImport:
    """Import a vocabulary TSV, all or nothing. `source`: a Path is read as a file, a str is the file's text.

    Listed words are created or updated (an unchanged line writes no version); words not in the file
    are left alone. With any bad line, or with dry_run, nothing is written. Locks: the rows of the
    listed words, in one transaction.
    """
    report = VocabularyImport(dry_run=dry_run)
    text, report.errors = read_text(source) if isinstance(source, Path) else (source, [])
    if report.errors:
        return report
    parsed = parse(text)
    report.errors, report.entries = parsed.errors, len(parsed.entries)
    if parsed.errors:
        return report
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    if dry_run:
        existing = {s.word: s for s in Synonym.objects.filter(word__in=[e.word for _, e in parsed.entries])}
        for _, entry in parsed.entries:
            old = existing.get(entry.word)
            enabled = entry.enabled if entry.enabled is not None else (old.enabled if old else True)
            counts[_outcome(old, entry, enabled)] += 1
    else:
        try:
            with transaction.atomic():
                for _, entry in parsed.entries:
                    _, outcome = _save(entry, enabled=entry.enabled, source=SynonymVersion.Source.IMPORT,
                                       changed_by=changed_by)
                    counts[outcome] += 1
        except IntegrityError as exc:
            raise Conflict(f"导入与另一项同时进行的修改冲突，未导入任何词条，请重试（{exc}）",
                           code="vocabulary.import_conflict") from None
    report.created, report.updated, report.unchanged = counts["created"], counts["updated"], counts["unchanged"]
    return report


def export_vocabulary() -> str:
    """Every entry (disabled ones too) as a TSV that `do_import_vocabulary` reads back unchanged."""
    lines = ["\t".join(COLUMNS)]
    for synonym in sorted(Synonym.objects.all(), key=lambda s: s.word):
        lines.append("\t".join([synonym.word, "|".join(synonym.term_list), synonym.note,
                                "是" if synonym.enabled else "否"]))
    return "\n".join(lines) + "\n"
