"""Pagination: the capped count and the deep pages' deferred join return what plain offset paging would."""

import pytest
from django.test import RequestFactory

from issues.models import Module
from projects.core import paging


@pytest.fixture
def modules(team):
    Module.objects.bulk_create(Module(project=team.project, name=f"模块{n:03d}", position=n % 7) for n in range(60))
    return Module.objects.filter(project=team.project).order_by("position", "-name")


def _page(queryset, number, per_page=8):
    return paging.paginate(RequestFactory().get("/", {"page": number}), queryset, per_page=per_page)


@pytest.mark.parametrize("number", [1, 2, 5, 8])
def test_a_deep_page_holds_the_rows_offset_paging_would(modules, monkeypatch, number):
    monkeypatch.setattr(paging, "DEEP_OFFSET", 8)  # page 2 on is "deep"
    expected = list(modules)[(number - 1) * 8 : number * 8]
    assert [m.pk for m in _page(modules, number).object_list] == [m.pk for m in expected]


def test_the_count_is_capped_and_an_out_of_range_page_shows_the_last(modules):
    page = paging.paginate(RequestFactory().get("/", {"page": "99"}), modules, per_page=8, cap=50)
    assert (page.count, page.count_capped, page.number) == (50, True, 7)
    assert _page(modules, "x").number == 1


@pytest.mark.parametrize("number", [1, 2, 8])
def test_rows_as_named_tuples_hold_the_columns_of_the_same_rows(modules, monkeypatch, number):
    monkeypatch.setattr(paging, "DEEP_OFFSET", 8)
    request = RequestFactory().get("/", {"page": number})
    instances = paging.paginate(request, modules, per_page=8).object_list
    tuples = paging.paginate(request, modules, per_page=8, columns=("name", "project__code")).object_list
    assert [(row.pk, row.name, row.project__code) for row in tuples] == [(m.pk, m.name, "SCRM") for m in instances]
