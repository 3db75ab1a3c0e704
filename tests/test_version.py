"""The data version grows with every committed change, and only then."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from chitieu import transaction
from chitieu._version import current_version
from chitieu.observation.models import Observation
from chitieu.user.service import create_user
from tests.conftest import BACKENDS

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


def _version(engine) -> int:
    with transaction(engine) as session:
        return current_version(session)


def test_a_change_raises_the_version_once_per_commit(loaded):
    start = _version(loaded)
    assert start > 0, "loading the dataset is a change"
    with transaction(loaded) as session:
        first = session.get(Observation, 1)
        first.note = "đổi ghi chú"
        second = session.get(Observation, 2)
        second.note = "đổi ghi chú nữa"
    assert _version(loaded) == start + 1
    with transaction(loaded) as session:
        session.execute(update(Observation).where(Observation.id == 3).values(note="hàng loạt"))
    assert _version(loaded) == start + 2


def test_reading_bookkeeping_and_rolling_back_leave_it_alone(loaded):
    start = _version(loaded)
    with transaction(loaded) as session:
        session.get(Observation, 1)
    with transaction(loaded) as session:
        create_user(session, username="ke_toan", password="mat-khau-dai-du", role="viewer")
    with pytest.raises(RuntimeError), transaction(loaded) as session:
        session.get(Observation, 1).note = "không lưu"
        session.flush()
        raise RuntimeError("bỏ")
    with transaction(loaded) as session:
        # Setting a value to what it already is changes nothing.
        row = session.get(Observation, 1)
        row.value = row.value
    assert _version(loaded) == start
