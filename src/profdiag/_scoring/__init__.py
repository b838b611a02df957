"""Scoring: compile an instrument to arrays, encode responses, run the vectorised kernel."""

from profdiag._scoring.plan import ScaleStatus, ScoringPlan, compile_plan
from profdiag._scoring.result import InstrumentRef, ScoreResult
from profdiag._scoring.score import score

__all__ = ["InstrumentRef", "ScaleStatus", "ScoreResult", "ScoringPlan", "compile_plan", "score"]
