"""Scoring: compile an instrument to arrays, encode responses, run the vectorised kernel."""

from profdiag.scoring.plan import ScaleStatus, ScoringPlan, compile_plan
from profdiag.scoring.result import InstrumentRef, ScoreResult
from profdiag.scoring.score import score

__all__ = ["InstrumentRef", "ScaleStatus", "ScoreResult", "ScoringPlan", "compile_plan", "score"]
