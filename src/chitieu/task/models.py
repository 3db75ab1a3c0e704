"""Tasks a plan assigns to agencies, and their dated progress."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chitieu._orm import Base, one_of, utcnow
from chitieu.agency.models import Agency
from chitieu.document.models import SourceDocument
from chitieu.plan.models import Plan

TASK_STATUSES = ("not_started", "in_progress", "done", "cancelled")

task_partner = Table(
    "task_partner",
    Base.metadata,
    Column("task_id", ForeignKey("task.id"), primary_key=True),
    Column("agency_id", ForeignKey("agency.id"), primary_key=True),
)

task_lead = Table(
    "task_lead",
    Base.metadata,
    Column("task_id", ForeignKey("task.id"), primary_key=True),
    Column("agency_id", ForeignKey("agency.id"), primary_key=True),
)


class Task(Base):
    """One row of a plan's assignment table.

    ``timeframe`` keeps the plan's wording as a code (``2019``, ``2018/2020``,
    ``2019/2030:2020``, ``annually``, ``ongoing``); ``due_year`` is the year by
    which it should be done, when there is one.
    """

    __tablename__ = "task"
    __table_args__ = (UniqueConstraint("plan_id", "group_no", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    group_no: Mapped[str] = mapped_column(String(16))
    group_title: Mapped[str] = mapped_column(String(500))
    number: Mapped[int]
    description: Mapped[str] = mapped_column(Text)
    timeframe: Mapped[str | None] = mapped_column(String(32))
    start_year: Mapped[int | None]
    due_year: Mapped[int | None]
    source_document_id: Mapped[int | None] = mapped_column(ForeignKey("source_document.id"))
    span_start: Mapped[int | None]
    span_end: Mapped[int | None]

    plan: Mapped[Plan] = relationship()
    leads: Mapped[list[Agency]] = relationship(secondary=task_lead, order_by=Agency.id)
    partners: Mapped[list[Agency]] = relationship(secondary=task_partner, order_by=Agency.id)
    source_document: Mapped[SourceDocument | None] = relationship()
    updates: Mapped[list[TaskUpdate]] = relationship(
        back_populates="task", order_by="TaskUpdate.on_date, TaskUpdate.id"
    )


class TaskUpdate(Base):
    """A dated report on a task's progress; the latest one gives its status."""

    __tablename__ = "task_update"
    __table_args__ = (CheckConstraint(one_of("status", TASK_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"))
    on_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    task: Mapped[Task] = relationship(back_populates="updates")
