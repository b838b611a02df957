"""profdiag: career-guidance diagnostics.

Instrument definitions are data (JSON); scoring is vectorised numpy; scores become
standard scores against named norm groups, profiles with codes, validity flags and
matching occupations, and PDF reports. Everything a program needs is exported here; the
subpackages (`profdiag._scoring`, ...) are private.

>>> import profdiag
>>> ddo = profdiag.load_instrument("klimov-ddo")
>>> sheet = {str(k): "а" if k % 3 else "б" for k in range(1, 21)}
>>> result = profdiag.score(ddo, sheet)
>>> profile = profdiag.build_profiles([profdiag.ScoredInput(ddo, result)])[0]
>>> profile.instruments[0].leading
['nature']
"""

from typing import TYPE_CHECKING, Any

from profdiag._instrument import Instrument, bundled_ids, load_instrument, parse_instrument
from profdiag._instrument.overlay import TextOverlay, apply_overlay, load_overlay
from profdiag._norms import StandardScores, se_difference, standardize
from profdiag._profile.build import ProfileInput, ScoredInput, build_profiles
from profdiag._profile.files import profiles_json, read_profiles
from profdiag._profile.model import Profile
from profdiag._profile.occupations import OccupationCatalogue, load_catalogue
from profdiag._psychometrics import analyze
from profdiag._scoring import ScaleStatus, ScoreResult, score
from profdiag._scoring.distributed import score_dask
from profdiag._scoring.score import ResponseData, score_with_values
from profdiag.errors import (
    ArgumentError,
    CellProblem,
    DefinitionProblem,
    DocumentError,
    InstrumentError,
    NormError,
    OutputError,
    ProfdiagError,
    ReportError,
    ResponseDataError,
)

if TYPE_CHECKING:
    from profdiag._report.render import (
        ReportOptions,
        WrittenReport,
        render_batch,
        render_html,
        render_pdf,
    )

__version__ = "0.1.0"

# Reports need WeasyPrint (about 0.5 s to import): loaded on first use, so that a kiosk or
# a script that only scores starts fast.
_REPORT_NAMES = frozenset(
    {"ReportOptions", "WrittenReport", "render_batch", "render_html", "render_pdf"}
)


def __getattr__(name: str) -> Any:
    if name in _REPORT_NAMES:
        from profdiag._report import render

        return getattr(render, name)
    raise AttributeError(f"module 'profdiag' has no attribute {name!r}")


__all__ = [
    "ArgumentError",
    "CellProblem",
    "DefinitionProblem",
    "DocumentError",
    "Instrument",
    "InstrumentError",
    "NormError",
    "OccupationCatalogue",
    "OutputError",
    "ProfdiagError",
    "Profile",
    "ProfileInput",
    "ReportError",
    "ReportOptions",
    "ResponseData",
    "ResponseDataError",
    "ScaleStatus",
    "ScoreResult",
    "ScoredInput",
    "StandardScores",
    "TextOverlay",
    "WrittenReport",
    "__version__",
    "analyze",
    "apply_overlay",
    "build_profiles",
    "bundled_ids",
    "load_catalogue",
    "load_instrument",
    "load_overlay",
    "parse_instrument",
    "profiles_json",
    "read_profiles",
    "render_batch",
    "render_html",
    "render_pdf",
    "score",
    "score_dask",
    "score_with_values",
    "se_difference",
    "standardize",
]
