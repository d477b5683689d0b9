"""Pagination that never counts more than it must: big tables get "10,000+" instead of a full scan."""

from dataclasses import dataclass

COUNT_CAP = 10_000


@dataclass
class Page:
    object_list: list
    number: int
    per_page: int
    count: int
    count_capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number * self.per_page < self.count

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.object_list) - 1 if self.object_list else 0


def paginate(request, queryset, per_page: int = 50, cap: int = COUNT_CAP) -> Page:
    count = queryset.order_by()[: cap + 1].count()
    capped = count > cap
    count = min(count, cap)
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        number = 1
    number = min(number, max(1, -(-count // per_page)))
    offset = (number - 1) * per_page
    return Page(list(queryset[offset : offset + per_page]), number, per_page, count, capped)
