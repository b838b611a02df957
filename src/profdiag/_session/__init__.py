"""Administering a battery to one person, one item at a time, and the crash-safe store."""

from profdiag._session.battery import Battery, BatteryEntry
from profdiag._session.engine import Session
from profdiag._session.model import (
    AdaptiveResult,
    Choice,
    Progress,
    Receipt,
    Respondent,
    ServedItem,
)
from profdiag._session.results import SessionResults
from profdiag._session.store import ExportTable, SessionStore, StoredAnswer, StoredEvent

__all__ = [
    "AdaptiveResult",
    "Battery",
    "BatteryEntry",
    "Choice",
    "ExportTable",
    "Progress",
    "Receipt",
    "Respondent",
    "ServedItem",
    "Session",
    "SessionResults",
    "SessionStore",
    "StoredAnswer",
    "StoredEvent",
]
