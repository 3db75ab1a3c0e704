"""The synthetic national dataset: deterministic, shaped like the 2025 reform, complete keys."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chitieu._database import transaction
from chitieu._errors import InputError, StateError
from chitieu._orm import Base
from chitieu.assessment._figures import revisions_read_ahead
from chitieu.assessment.service import assess, assess_target
from chitieu.plan.models import Plan
from chitieu.plan.service import get_plan, list_targets
from chitieu.region.models import Region
from chitieu.synth.service import synthesize
from tests.conftest import BACKENDS
from tests.test_cli import chitieu

SMALL = {"provinces": 6, "communes": 40, "indicators": 12, "years": (2012, 2030)}


def _synth(engine: Engine, seed: int = 3) -> dict[str, int]:
    with transaction(engine) as session:
        return synthesize(session, seed=seed, **SMALL).counts  # type: ignore[arg-type]


def _observations(engine: Engine) -> list[tuple[object, ...]]:
    """Every figure with its region's code, typed by the model (SQLite keeps dates as text)."""
    observation, region = Base.metadata.tables["observation"], Base.metadata.tables["region"]
    query = (
        sa.select(region.c.code, *(c for c in observation.c if c.name != "region_id"))
        .join_from(observation, region)
        .order_by(observation.c.id)
    )
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_same_seed_writes_the_same_figures_on_either_database(engine, tmp_path):
    counts = _synth(engine)
    again = sa.create_engine(f"sqlite:///{tmp_path / 'again.db'}")
    from chitieu._database import upgrade

    upgrade(again)
    assert _synth(again) == counts
    first, second = _observations(engine), _observations(again)
    assert len(first) == counts["observation"] > 10_000
    assert first == second
    other = sa.create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    _synth(other, seed=4)
    assert [row[6] for row in _observations(other)][:1000] != [row[6] for row in first][:1000]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_regions_keep_the_2025_merger_history(engine):
    _synth(engine)
    with engine.connect() as connection:
        levels = dict(
            connection.execute(
                sa.text(
                    "select level, count(*) from region where code like 'syn%' "
                    "and (valid_to is null) group by level"
                )
            ).all()
        )
        merged_into = connection.execute(
            sa.text(
                "select s.code, count(*) from region_succession rs "
                "join region s on s.id = rs.successor_id where rs.kind = 'merge' group by s.code"
            )
        ).all()
        old_ends = connection.execute(
            sa.text(
                "select distinct p.valid_to from region_succession rs "
                "join region p on p.id = rs.predecessor_id"
            )
        ).scalars()
        abolished = connection.scalar(
            sa.text("select count(*) from region_succession where kind = 'abolish'")
        )
    assert levels == {"country": 1, "province": SMALL["provinces"], "commune": SMALL["communes"]}
    assert merged_into and all(count >= 2 for _, count in merged_into)
    assert {str(day) for day in old_ends} == {"2025-06-30"}
    assert abolished > 0


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_revisions_supersede_estimates_and_some_sources_disagree(engine):
    _synth(engine)
    with engine.connect() as connection:
        pairs = connection.execute(
            sa.text(
                "select old.status, new.status, old.indicator_code = new.indicator_code"
                " and old.region_id = new.region_id and old.period = new.period"
                " from observation new join observation old on old.id = new.supersedes_id"
            )
        ).all()
        conflicts = connection.scalar(
            sa.text(
                "select count(*) from observation a join observation b on"
                " a.indicator_code = b.indicator_code and a.region_id = b.region_id"
                " and a.period = b.period and a.id < b.id and a.value <> b.value"
                " and a.source_kind <> b.source_kind"
                " where a.supersedes_id is null and b.supersedes_id is null"
            )
        )
    assert pairs and {row[:2] for row in pairs} == {("estimate", "actual")}
    assert all(row[2] for row in pairs)
    assert conflicts > 0


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_plans_have_ranges_growth_targets_and_tasks_and_can_be_assessed(engine):
    counts = _synth(engine)
    assert counts["task"] > 0 and counts["task_lead"] > 0
    with transaction(engine) as session:
        plan = get_plan(session, code_or_number="syn-kh-2021-2025-syn_t01")
        measures = {target.measure for target in plan.targets}
        ranges = [t for t in plan.targets if t.minimum is not None and t.maximum is not None]
        results = assess(session, as_of=date(2026, 12, 31), plan=plan)
    assert {"level", "average_growth"} <= measures
    assert any(t.minimum < t.maximum for t in ranges)  # type: ignore[operator]
    statuses = {result.status for result in results}
    assert len(results) == len(plan.targets)
    assert statuses - {"insufficient_data"}, statuses


@pytest.mark.postgresql
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_keeps_every_key_and_index_after_the_bulk_load(engine):
    _synth(engine)
    inspector = sa.inspect(engine)
    table = Base.metadata.tables["observation"]
    keys = {fk["name"] for fk in inspector.get_foreign_keys("observation")}
    assert keys == {c.name for c in table.foreign_key_constraints}
    assert {i["name"] for i in inspector.get_indexes("observation")} >= {
        i.name for i in table.indexes
    }
    assert {u["name"] for u in inspector.get_unique_constraints("observation")} == {
        "uq_observation_supersedes_id"
    }
    with engine.begin() as connection:
        # New rows after the load get ids past the synthetic ones.
        connection.execute(
            sa.text(
                "insert into plan (code, title, region_id, horizon_start,"
                " horizon_end, kind) select 'p-after', 't', id, 2026, 2030,"
                " 'annual' from region where code = 'syn_vn'"
            )
        )


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_second_run_is_refused_and_writes_nothing(engine):
    _synth(engine)
    before = len(_observations(engine))
    with pytest.raises(StateError, match="đã có bộ dữ liệu tổng hợp"):
        _synth(engine)
    assert len(_observations(engine)) == before


def test_bad_parameters_are_named_in_one_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'bad.db'}"
    result = chitieu("synth", "--seed", "1", "--years", "2030-2010", db=db)
    assert result.returncode != 0
    assert "--years 2030-2010" in result.stderr and "Traceback" not in result.stderr
    result = chitieu("synth", "--seed", "1", "--provinces", "1", db=db)
    assert result.returncode != 0 and "--provinces 1" in result.stderr
    with pytest.raises(InputError, match="--years"), transaction(sa.create_engine(db)) as session:
        synthesize(session, seed=1, years=(2020, 2020))


def test_the_command_writes_the_dataset_and_says_how_much(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    result = chitieu(
        "synth",
        "--seed",
        "5",
        "--provinces",
        "4",
        "--communes",
        "8",
        "--indicators",
        "6",
        db=db,
    )
    assert result.returncode == 0, result.stderr
    assert "Đã ghi bộ dữ liệu tổng hợp (hạt giống 5)" in result.stdout
    engine = sa.create_engine(db)
    with engine.connect() as connection:
        stored = connection.scalar(sa.text("select count(*) from observation"))
    assert stored is not None and f"observation: {stored:,}".replace(",", ".") in result.stdout


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_every_commune_has_a_yearly_plan_that_can_be_judged(engine):
    counts = _synth(engine)
    with transaction(engine) as session:
        plans = list(
            session.scalars(
                sa.select(Plan)
                .join(Region, Plan.region_id == Region.id)
                .where(Region.level == "commune")
            )
        )
        shapes = {
            (plan.kind, plan.horizon_start, plan.horizon_end, len(plan.targets)) for plan in plans
        }
        periods = {
            (t.period, t.measure, t.region_id == p.region_id) for p in plans for t in p.targets
        }
        results = assess(session, as_of=date(2026, 12, 31), plan=plans[0])
    assert len(plans) == SMALL["communes"]
    # SMALL has 12 indicators: fewer than the 20 to 29 targets a commune would set.
    assert shapes == {("annual", 2026, 2026, SMALL["indicators"])}
    assert periods == {("2026", "level", True)}
    # The provinces' and the country's plans are still there beside them.
    assert counts["plan"] > SMALL["communes"]
    assert counts["target"] == counts["plan"] * SMALL["indicators"]
    assert {result.status for result in results} <= {"achieved", "not_achieved"}
    assert len(results) == SMALL["indicators"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_assessing_every_plan_at_once_says_what_each_target_alone_says(engine):
    """The read-ahead path (all plans, series read a region at a time, single months left
    unread unless doubtful) against each target judged on its own queries."""
    _synth(engine)
    doubtful = "số liệu nghi vấn, cần kiểm tra"
    with engine.begin() as connection:
        # Doubtful figures in months and years the targets look at, so that the set-aside
        # notes are part of what is compared.
        connection.execute(
            sa.text(
                "update observation set note = :note where (period like '2025-M%' and id % 3 = 0)"
                " or (period in ('2024', '2026') and id % 17 = 0)"
            ),
            {"note": doubtful},
        )
        revised = "select count(*) from observation where supersedes_id is not null"
        assert connection.scalar(sa.text(revised))
    as_of = date(2026, 12, 31)
    with transaction(engine, writes=False) as session:
        together = [result.record() for result in assess(session, as_of=as_of)]
    # Judging many targets reads the revised figures' ids once instead of asking the database.
    with transaction(engine, writes=False) as session, revisions_read_ahead(session):
        revisions_read = [result.record() for result in assess(session, as_of=as_of)]
    with transaction(engine, writes=False) as session:
        targets = list_targets(session)
        alone = [assess_target(session, target=t, as_of=as_of).record() for t in targets]
    assert len(together) == len(alone) > 500
    assert json.dumps(together, ensure_ascii=False) == json.dumps(alone, ensure_ascii=False)
    assert revisions_read == together
    notes = " ".join(record["note"] or "" for record in together)
    # A doubtful month is named in the notes, in words ("tháng 3/2025"), as a planner reads it.
    assert re.search(r"tháng \d{1,2}/2025", notes) and "nghi vấn" in notes


def test_assess_all_judges_every_plan_and_refuses_a_plan_beside_it(tmp_path):
    db = f"sqlite:///{tmp_path / 'all.db'}"
    made = chitieu(
        "synth", "--seed", "2", "--provinces", "4", "--communes", "6", "--indicators", "5", db=db
    )
    assert made.returncode == 0, made.stderr
    every = chitieu("assess", "--all", "--as-of", "2026-12-31", "--format", "json", db=db)
    assert every.returncode == 0, every.stderr
    records = json.loads(every.stdout)
    with sa.create_engine(db).connect() as connection:
        targets = connection.scalar(sa.text("select count(*) from target"))
        plans = connection.scalar(sa.text("select count(*) from plan"))
    assert len(records) == targets and len({r["plan"] for r in records}) == plans > 6
    assert (
        sum(r["plan"].startswith("syn-kh-2026-syn_") and "_x" in r["plan"] for r in records) == 30
    )
    both = chitieu("assess", "--all", "--plan", records[0]["plan"], db=db)
    assert both.returncode != 0 and "--all" in both.stderr and "Traceback" not in both.stderr


def test_more_indicators_than_the_catalogue_observes_are_made_up_whole(engine):
    """The national default (120) asks for more indicators than the catalogue has
    figures for; the made-up ones must carry every column the catalogue's rows do,
    or the bulk insert stops on the first of them."""
    with transaction(engine) as session:
        synthesize(session, seed=1, provinces=2, communes=2, indicators=120, years=(2020, 2021))
    with engine.connect() as connection:
        made_up = connection.execute(
            sa.text("select definition, definition_en from indicator where code like 'SYN_%'")
        ).all()
    assert made_up and all(row == (None, None) for row in made_up)
