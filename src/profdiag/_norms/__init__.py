"""Norms: raw scores to standard scores against named norm groups, with uncertainty."""

from profdiag._norms.selection import assign_norm_groups
from profdiag._norms.standard import (
    StandardScores,
    critical_z,
    se_difference,
    standard_error_of_measurement,
    standardize,
)

__all__ = [
    "StandardScores",
    "assign_norm_groups",
    "critical_z",
    "se_difference",
    "standard_error_of_measurement",
    "standardize",
]
