"""Psychometric analysis of response data: reliability and item statistics per scale (as R
psych's `alpha()`), scale intercorrelations, DIF screening, CSV tables for spreadsheets."""

from profdiag._psychometrics.analyze import analyze
from profdiag._psychometrics.dif import DifAnalysis, DifComparison, ItemDif, ScaleDif
from profdiag._psychometrics.result import Analysis, ItemAnalysis, ScaleAnalysis

__all__ = [
    "Analysis",
    "DifAnalysis",
    "DifComparison",
    "ItemAnalysis",
    "ItemDif",
    "ScaleAnalysis",
    "ScaleDif",
    "analyze",
]
