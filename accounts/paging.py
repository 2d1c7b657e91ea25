"""Pages of a long list at a constant cost (issue 19): LIMIT/OFFSET with one row more than a page, no COUNT.

A page number that is not a small positive integer is page 1; a page past the end is simply empty (with a link
back). `Page.query(n)` keeps the request's other parameters (a month filter) in the links.
"""

from dataclasses import dataclass, field

from django.http import QueryDict

PER_PAGE = 20
MAX_PAGE = 10_000


def page_number(raw) -> int:
    raw = str(raw or "")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 5):
        return 1
    return min(max(int(raw), 1), MAX_PAGE)


@dataclass
class Page:
    items: list
    number: int
    has_next: bool
    params: QueryDict | None = field(default=None, repr=False)
    name: str = "page"

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def _query(self, number: int) -> str:
        params = self.params.copy() if self.params is not None else QueryDict(mutable=True)
        params[self.name] = str(number)
        return "?" + params.urlencode()

    @property
    def previous_query(self) -> str:
        return self._query(self.number - 1)

    @property
    def next_query(self) -> str:
        return self._query(self.number + 1)

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def page_of(rows, *, params: QueryDict | None = None, per_page: int = PER_PAGE, name: str = "page",
            number: int | None = None) -> Page:
    """The page that `params[name]` asks for, from a queryset (one query: a page and one row more) or a list."""
    number = number if number is not None else page_number(params.get(name) if params is not None else None)
    start = (number - 1) * per_page
    items = list(rows[start:start + per_page + 1])
    return Page(items=items[:per_page], number=number, has_next=len(items) > per_page, params=params, name=name)
