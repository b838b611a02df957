"""profdiag: career-guidance diagnostics.

Instrument definitions are data (JSON); scoring is vectorised numpy; scores become
standard scores against named norm groups.
"""

from profdiag._instrument import Instrument, bundled_ids, load_instrument, parse_instrument
from profdiag._norms import StandardScores, se_difference, standardize
from profdiag._scoring import ScaleStatus, ScoreResult, score
from profdiag.errors import (
    CellProblem,
    DefinitionProblem,
    InstrumentError,
    NormError,
    ProfdiagError,
    ResponseDataError,
)

__version__ = "0.1.0"

__all__ = [
    "CellProblem",
    "DefinitionProblem",
    "Instrument",
    "InstrumentError",
    "NormError",
    "ProfdiagError",
    "ResponseDataError",
    "ScaleStatus",
    "ScoreResult",
    "StandardScores",
    "__version__",
    "bundled_ids",
    "load_instrument",
    "parse_instrument",
    "score",
    "se_difference",
    "standardize",
]
