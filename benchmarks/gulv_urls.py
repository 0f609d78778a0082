"""The report benchmark's floor pages (benchmarks/test_bench_reports.py): what a
signed-in request costs before any report is read. Mounted beside the project's own
URLs only while the benchmark runs."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path


def tom(request):
    """Session, user and every middleware; no template, no query of its own."""
    return HttpResponse("")


def base(request):
    """The same, plus ``base.html`` with its header (the SMDB environment's query)."""
    return render(request, "base.html")


urlpatterns = [
    path("bench/gulv/tom/", tom),
    path("bench/gulv/base/", base),
    path("", include("smdb_web.urls")),
]
