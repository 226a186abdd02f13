"""Shared test fixtures: paths to the sample clips and the labelled dev data, golden-file regeneration."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_videos"
TEST_DATA = ROOT / "tests" / "data"
DEV_DATA = Path(os.environ.get("BODYCOACH_DEV_DATA", ROOT.parent / "shared" / "data" / "dev"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-golden", action="store_true", default=False,
                     help="rewrite golden landmark files in tests/data from the real models")


@pytest.fixture
def regen_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-golden"))


@pytest.fixture(scope="session")
def dev_data() -> Path:
    """The labelled dev data (../shared/data/dev); tests that need it skip when it is absent."""
    if not (DEV_DATA / "labels.csv").exists():
        pytest.skip(f"labelled dev data not found at {DEV_DATA} (set BODYCOACH_DEV_DATA)")
    return DEV_DATA


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def pg_server():
    """A throw-away PostgreSQL server (Debian's postgresql package) on a free local port."""
    from tests.pg_server import PgServer, find_bin

    if not (find_bin("initdb") and find_bin("pg_ctl")):
        pytest.skip("PostgreSQL's initdb/pg_ctl not found (apt-get install postgresql; scripts/setup does it)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (pip install 'bodycoach[postgres]')")
    server = PgServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """URL of a new, empty database on the test server."""
    return pg_server.new_database()
