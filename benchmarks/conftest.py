"""Benchmarks run only when asked for: ``pytest benchmarks --benchmark-only`` or
``pytest benchmarks -m bench``. The project's normal run (testpaths = tests) does
not collect this directory at all."""

from __future__ import annotations

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "bench: a pytest-benchmark benchmark (benchmarks/)")


def pytest_collection_modifyitems(config, items):
    asked = config.getoption("benchmark_only", False) or "bench" in (
        config.getoption("markexpr", "") or ""
    )
    if asked:
        return
    skip = pytest.mark.skip(reason="benchmark: run with --benchmark-only or -m bench")
    for item in items:
        if "bench" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _uden_anden_faktor(settings):
    """The benchmarks sign a leder in with force_login; two-factor (issue 9) is
    tested in tests/, not timed here."""
    settings.OTP_REQUIRED = False
