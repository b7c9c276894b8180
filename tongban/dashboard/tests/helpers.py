"""Reading the dashboard's tables back out of the HTML, as a screen reader would meet them."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[tuple[str, str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = dict(attrs).get("id", "")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            assert self._row is not None  # a cell opens only inside a row
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if len(self._row) == 2:
                assert self._table is not None  # a row opens only inside a table
                label, value = self._row
                self.tables[self._table].append((label, value))
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, dict[str, str]]:
    """{table id: {row label: value}}, header rows left out."""
    parser = _Tables()
    parser.feed(html)
    return {key: dict(rows[1:]) for key, rows in parser.tables.items()}
