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

from profdiag._cohort import CohortTables, cohort_tables
from profdiag._instrument import Instrument, bundled_ids, load_instrument, parse_instrument
from profdiag._instrument.overlay import TextOverlay, apply_overlay, load_overlay
from profdiag._io.mapping import ResponseMapping, apply_mapping, load_mapping
from profdiag._irt.api import ThetaScores, calibrate, score_theta
from profdiag._irt.cat import AdaptiveTest, CatRules
from profdiag._irt.result import Calibration
from profdiag._irt.simulate import CatSimulation, simulate_cat
from profdiag._norms import StandardScores, se_difference, standardize
from profdiag._norms.building import NormsBuild, build_norms
from profdiag._privacy import (
    Pseudonymised,
    generate_key,
    looks_like_direct_identifier,
    pseudonymise,
)
from profdiag._profile.build import ProfileInput, ScoredInput, build_profiles
from profdiag._profile.files import profiles_json, read_profiles
from profdiag._profile.model import Profile
from profdiag._profile.occupations import OccupationCatalogue, load_catalogue
from profdiag._psychometrics import analyze
from profdiag._scoring import ScaleStatus, ScoreResult, score
from profdiag._scoring.distributed import score_dask
from profdiag._scoring.result import CategoricalAnswers
from profdiag._scoring.score import ResponseData, score_with_values
from profdiag._session import (
    Battery,
    BatteryEntry,
    ExportTable,
    Respondent,
    ServedItem,
    Session,
    SessionResults,
    SessionStore,
)
from profdiag.errors import (
    ArgumentError,
    CellProblem,
    DefinitionProblem,
    DocumentError,
    InstrumentError,
    MappingError,
    MissingExtraError,
    NormError,
    OutputError,
    ProfdiagError,
    ReportError,
    ResponseDataError,
    SessionError,
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
    "AdaptiveTest",
    "ArgumentError",
    "Battery",
    "BatteryEntry",
    "Calibration",
    "CatRules",
    "CatSimulation",
    "CategoricalAnswers",
    "CellProblem",
    "CohortTables",
    "DefinitionProblem",
    "DocumentError",
    "ExportTable",
    "Instrument",
    "InstrumentError",
    "MappingError",
    "MissingExtraError",
    "NormError",
    "NormsBuild",
    "OccupationCatalogue",
    "OutputError",
    "ProfdiagError",
    "Profile",
    "ProfileInput",
    "Pseudonymised",
    "ReportError",
    "ReportOptions",
    "Respondent",
    "ResponseData",
    "ResponseDataError",
    "ResponseMapping",
    "ScaleStatus",
    "ScoreResult",
    "ScoredInput",
    "ServedItem",
    "Session",
    "SessionError",
    "SessionResults",
    "SessionStore",
    "StandardScores",
    "TextOverlay",
    "ThetaScores",
    "WrittenReport",
    "__version__",
    "analyze",
    "apply_mapping",
    "apply_overlay",
    "build_norms",
    "build_profiles",
    "bundled_ids",
    "calibrate",
    "cohort_tables",
    "generate_key",
    "load_catalogue",
    "load_instrument",
    "load_mapping",
    "load_overlay",
    "looks_like_direct_identifier",
    "parse_instrument",
    "profiles_json",
    "pseudonymise",
    "read_profiles",
    "render_batch",
    "render_html",
    "render_pdf",
    "score",
    "score_dask",
    "score_theta",
    "score_with_values",
    "se_difference",
    "simulate_cat",
    "standardize",
]
