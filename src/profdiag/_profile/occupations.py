"""The occupation catalogue and regional demand files.

A catalogue (JSON, format "profdiag-occupations/1") says what an occupation is: titles,
RIASEC code and where it comes from, the O*NET analogue with its six interest ratings,
Klimov type(s), education routes and programmes, legal restrictions and rotational work.
A demand file (JSON, format "profdiag-demand/1") says which occupations a region's labour
market needs, each flag with its dated sources. The two are kept apart so that a region
can replace the flags without touching the catalogue; `load_catalogue` merges them.

profdiag bundles a catalogue written from public facts and the Tyumen region's demand
file; a region can load its own of either, checked the same way (docs/profiles.md).
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from functools import cached_property, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, PrivateAttr, field_validator, model_validator

from profdiag._instrument.loading import parse_document, read_document, validate
from profdiag._instrument.model import Frozen, Identifier, LocalizedText
from profdiag.errors import DefinitionProblem, DocumentError

CATALOGUE_TAG = "profdiag-occupations/1"
DEMAND_TAG = "profdiag-demand/1"
RIASEC = "RIASEC"
DDO_TYPES = ("nature", "technique", "human", "sign", "art")
EducationRoute = Literal["short_course", "college", "university", "on_the_job"]
EDUCATION_ROUTES: tuple[EducationRoute, ...] = (
    "short_course",
    "college",
    "university",
    "on_the_job",
)
OnetMatch = Literal["close", "broad", "none"]
RiasecSource = Literal["onet", "analogy"]
ProgrammeLevel = Literal["spo", "vo", "dpo", "po"]
_BUNDLED = "profdiag-occupations-ru.json"
_BUNDLED_DEMAND = "demand-tyumen.json"

RiasecCode = Annotated[
    str,
    Field(
        pattern=r"^[RIASEC]{1,3}$",
        description="Holland code: 1 to 3 different letters of RIASEC, strongest first.",
    ),
]


def _matching(pattern: str, meaning: str) -> AfterValidator:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"{meaning} (got {value!r})")
        return value

    return AfterValidator(check)


def _real_date(value: str) -> str:
    parts = [int(part) for part in value.split("-")] + [1, 1]
    try:
        datetime.date(parts[0], parts[1], parts[2])
    except ValueError:
        expected = f"a real date such as 2024, 2024-03 or 2024-03-15 (got {value})"
        raise ValueError(expected) from None
    return value


OnetSoc = Annotated[
    str,
    _matching(r"\d{2}-\d{4}\.\d{2}", "an O*NET-SOC code such as 17-2171.00"),
    Field(description="An O*NET-SOC code: 17-2171.00."),
]
ProgrammeCode = Annotated[
    str, _matching(r"\d{2}\.\d{2}\.\d{2}", "a programme code such as 44.02.01")
]
InterestRating = Annotated[float, Field(ge=1.0, le=7.0, allow_inf_nan=False)]
PartialDate = Annotated[
    str,
    _matching(r"\d{4}(-\d{2}(-\d{2})?)?", "a date such as 2024, 2024-03 or 2024-03-15"),
    AfterValidator(_real_date),
    Field(description="A date as precise as the source gives it: 2024, 2024-03 or 2024-03-15."),
]

# The middle part of a programme code says its level: 01 a worker's profession and
# 02 a specialty of СПО; 03 bachelor, 04 master, 05 specialist, 06-09 the highest
# qualification (aspirantura, ordinatura, assistantura) of ВО.
_CODE_LEVELS = {"01": "spo", "02": "spo", "03": "vo", "04": "vo", "05": "vo"}
_CODE_LEVELS |= {kind: "vo" for kind in ("06", "07", "08", "09")}
_PROGRAMME_ROUTES = {"spo": "college", "vo": "university", "po": "short_course"}


class SourceRef(Frozen):
    id: Identifier
    citation: str = Field(min_length=1)
    url: str | None = None
    version: str | None = Field(
        default=None, min_length=1, description="The version of the data used, when it has one."
    )


class BilingualText(Frozen):
    """A text in both Russian and English."""

    ru: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Interests(Frozen):
    """O*NET's Occupational Interest ratings (1-7) of an occupation, in R-I-A-S-E-C order."""

    R: InterestRating
    I: InterestRating  # noqa: E741 (the letter of Holland's Investigative type)
    A: InterestRating
    S: InterestRating
    E: InterestRating
    C: InterestRating

    def as_tuple(self) -> tuple[float, float, float, float, float, float]:
        """The six ratings in R-I-A-S-E-C order."""
        return (self.R, self.I, self.A, self.S, self.E, self.C)


class ProgrammeTitle(Frozen):
    ru: str = Field(min_length=1)
    en: str | None = Field(default=None, min_length=1)


class Programme(Frozen):
    """An education programme leading to the occupation, from an official list where it has a
    code: СПО (spo), ВО (vo), additional professional education (dpo) or vocational training
    (po, профессиональное обучение)."""

    level: ProgrammeLevel
    code: ProgrammeCode | None = None
    title: ProgrammeTitle

    @model_validator(mode="after")
    def _code_fits_level(self) -> Programme:
        if self.code is None:
            return self
        if self.level in ("dpo", "po"):
            raise ValueError(
                "no 'code' for a dpo or po programme (official lists give codes only to "
                "СПО and ВО programmes)"
            )
        kind = self.code.split(".")[1]
        if _CODE_LEVELS.get(kind) != self.level:
            allowed = "01 or 02" if self.level == "spo" else "03 to 09"
            raise ValueError(
                f"a {self.level} code whose middle part is {allowed} (got {self.code})"
            )
        return self


class Restrictions(Frozen):
    """What the law requires before someone may do the job."""

    min_age: int | None = Field(
        default=None, ge=14, le=65, description="The youngest age the law allows, in years."
    )
    medical_examination: bool = Field(
        description="A medical examination is required before starting (and then periodically)."
    )
    note: BilingualText | None = None

    @model_validator(mode="after")
    def _says_something(self) -> Restrictions:
        if self.min_age is None and not self.medical_examination and self.note is None:
            raise ValueError(
                "a minimum age, a medical examination or a note (or no 'restrictions' at all)"
            )
        return self


class OccupationDemand(Frozen):
    """A demand flag merged into an occupation: the flag's sources with their dates."""

    sources: tuple[DemandSource, ...] = Field(min_length=1)
    note: LocalizedText | None = None

    @property
    def date(self) -> str:
        """The date of the most recent source, as precise as that source gives it."""
        return max(source.date for source in self.sources)

    @property
    def year(self) -> int:
        """The year of the most recent source."""
        return int(self.date[:4])


class Occupation(Frozen):
    id: Identifier
    title: LocalizedText
    riasec: RiasecCode
    riasec_source: RiasecSource = Field(
        description="'onet': O*NET's Interest High-Points of the analogue; 'analogy': assigned "
        "by the authors because there is no analogue with interest data."
    )
    ddo: tuple[Literal["nature", "technique", "human", "sign", "art"], ...] = Field(
        min_length=1, max_length=2, description="Klimov's type(s) of the occupation's subject."
    )
    education: tuple[EducationRoute, ...] = Field(min_length=1)
    programmes: tuple[Programme, ...] = ()
    onet_soc: OnetSoc | None = None
    onet_title: str | None = Field(default=None, min_length=1)
    onet_match: OnetMatch = Field(
        description="How well the O*NET analogue fits: 'close' (the same work), 'broad' (a "
        "wider or neighbouring occupation), 'none' (no sound analogue; say why in 'note')."
    )
    interests: Interests | None = None
    restrictions: Restrictions | None = None
    rotational: bool = Field(
        default=False,
        description="Commonly done on вахта (rotational shifts) in the region's oil and gas "
        "fields.",
    )
    sources: tuple[Identifier, ...] = Field(min_length=1)
    note: str | None = None
    inline_demand: object = Field(
        default=None,
        alias="regional_demand",
        exclude=True,
        description="Not allowed: catalogue files of version 1 carried demand flags here.",
    )
    _demand: OccupationDemand | None = PrivateAttr(default=None)

    @field_validator("inline_demand")
    @classmethod
    def _no_inline_demand(cls, value: object) -> None:
        raise ValueError(
            "no 'regional_demand' here: demand flags live in a separate demand file "
            f"(format {DEMAND_TAG}) that is merged into the catalogue when it is loaded"
        )

    @field_validator("riasec")
    @classmethod
    def _distinct_letters(cls, code: str) -> str:
        if len(set(code)) != len(code):
            raise ValueError("different letters")
        return code

    @field_validator("education", "ddo")
    @classmethod
    def _not_repeated(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(values)) != len(values):
            raise ValueError("each value at most once")
        return values

    @model_validator(mode="after")
    def _consistent(self) -> Occupation:
        if (self.onet_match == "none") != (self.onet_soc is None):
            raise ValueError(
                "'onet_soc': null exactly when 'onet_match' is 'none' "
                f"(got onet_soc {self.onet_soc!r}, onet_match {self.onet_match!r})"
            )
        if self.onet_soc is None and (self.onet_title is not None or self.interests is not None):
            raise ValueError("no 'onet_title' or 'interests' without an 'onet_soc'")
        if self.onet_soc is not None and self.onet_title is None:
            raise ValueError(f"the O*NET title of {self.onet_soc} in 'onet_title'")
        if self.riasec_source == "onet" and self.interests is None:
            raise ValueError(
                "'riasec_source': 'analogy' when there are no O*NET 'interests' to take the "
                "code from"
            )
        if self.riasec_source == "analogy" and self.interests is not None:
            raise ValueError(
                "'riasec_source': 'onet' (with O*NET's interest data at hand, the code is "
                "O*NET's Interest High-Points)"
            )
        if self.onet_match == "none" and not self.note:
            raise ValueError("a 'note' saying why there is no sound O*NET analogue")
        for programme in self.programmes:
            route = _PROGRAMME_ROUTES.get(programme.level)
            if route is not None and route not in self.education:
                raise ValueError(
                    f"the education route {route!r} in 'education', since a {programme.level} "
                    f"programme ({programme.title.ru}) leads there"
                )
        return self

    @property
    def demand(self) -> OccupationDemand | None:
        """The region's demand flag with its dated sources, when a demand file flags it."""
        return self._demand

    @property
    def regional_demand(self) -> bool:
        """Whether the merged demand file flags the occupation as in demand."""
        return self._demand is not None


class OccupationCatalogue(Frozen):
    format: Literal["profdiag-occupations/1"]
    id: Identifier
    version: str = Field(pattern=r"^\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.]+)?$")
    title: LocalizedText
    region: str = Field(min_length=1, description="The region the catalogue was written for.")
    attribution: BilingualText | None = Field(
        default=None,
        description="The attribution that must be shown wherever O*NET data is shown "
        "(required when any occupation names an O*NET analogue).",
    )
    sources: tuple[SourceRef, ...] = Field(min_length=1)
    occupations: tuple[Occupation, ...] = Field(min_length=1)
    _demand_file: RegionalDemand | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> OccupationCatalogue:
        problems = []
        source_ids = {source.id for source in self.sources}
        problems += _repeated_ids([source.id for source in self.sources], "sources")
        problems += _repeated_ids([o.id for o in self.occupations], "occupations")
        for position, occupation in enumerate(self.occupations):
            for k, source in enumerate(occupation.sources):
                if source not in source_ids:
                    problems.append(
                        DefinitionProblem(
                            f"$.occupations[{position}].sources[{k}]",
                            source,
                            f"the id of a source in $.sources ({', '.join(sorted(source_ids))})",
                        )
                    )
        problems += self._same_analogue_same_data()
        if self.attribution is None and any(o.onet_soc for o in self.occupations):
            problems.append(
                DefinitionProblem(
                    "$.attribution",
                    None,
                    "O*NET's attribution text in Russian and English ({'ru': ..., 'en': ...}), "
                    "since occupations carry O*NET data",
                )
            )
        if problems:
            raise DocumentError("<catalogue>", problems)
        return self

    def _same_analogue_same_data(self) -> list[DefinitionProblem]:
        """Occupations mapped to one O*NET analogue share its title, code and ratings."""
        problems = []
        first: dict[str, int] = {}
        for position, occupation in enumerate(self.occupations):
            if occupation.onet_soc is None:
                continue
            seen = first.setdefault(occupation.onet_soc, position)
            if seen == position:
                continue
            other = self.occupations[seen]
            for field in ("onet_title", "riasec", "riasec_source", "interests"):
                value = getattr(occupation, field)
                if value != getattr(other, field):
                    shown = value.model_dump() if isinstance(value, Interests) else value
                    problems.append(
                        DefinitionProblem(
                            f"$.occupations[{position}].{field}",
                            shown,
                            f"the same {field} as $.occupations[{seen}] ({other.id}), which "
                            f"has the same O*NET analogue {occupation.onet_soc}",
                        )
                    )
        return problems

    @cached_property
    def by_id(self) -> dict[str, Occupation]:
        return {occupation.id: occupation for occupation in self.occupations}

    @property
    def demand(self) -> RegionalDemand | None:
        """The demand file merged into this catalogue, if any."""
        return self._demand_file

    def with_demand(
        self, demand: RegionalDemand | None, *, source: str = "<demand>"
    ) -> OccupationCatalogue:
        """This catalogue with `demand`'s flags merged in (or with none, for None).

        The catalogue itself is not changed; a new one is returned.

        Parameters
        ----------
        demand
            A region's demand file, written for this catalogue (its `catalogue` is this
            catalogue's id and each flag names one of its occupations).
        source
            The demand file's name, for errors.

        Returns
        -------
        OccupationCatalogue
            The same occupations, each with its demand flag (or none).

        Raises
        ------
        DocumentError
            The demand file is written for another catalogue or flags occupations this one
            lacks; each problem names its JSON path in the demand file.

        Examples
        --------
        >>> catalogue = load_catalogue(demand=False)
        >>> catalogue.with_demand(load_demand()).by_id["welder"].regional_demand
        True
        """
        flags = {} if demand is None else _resolve(demand, self, source)
        occupations = []
        for occupation in self.occupations:
            copy = occupation.model_copy()
            copy._demand = flags.get(occupation.id)
            occupations.append(copy)
        values = {name: getattr(self, name) for name in type(self).model_fields}
        merged = type(self).model_construct(**(values | {"occupations": tuple(occupations)}))
        merged._demand_file = demand
        return merged


class DemandSource(Frozen):
    id: Identifier
    citation: str = Field(min_length=1)
    url: str | None = None
    date: PartialDate = Field(description="When the source's figures were published or dated.")
    official: bool = Field(
        description="The figures come from a public authority (a regional department, "
        "Роструд, «Работа России»), even when a news outlet relays them."
    )


class DemandFlag(Frozen):
    occupation: Identifier = Field(description="The id of an occupation in the catalogue.")
    sources: tuple[Identifier, ...] = Field(min_length=1)
    note: LocalizedText | None = Field(
        default=None, description="What the sources say, when they name a group of occupations."
    )


class RegionalDemand(Frozen):
    """A region's demand flags for one catalogue's occupations, each with dated sources."""

    format: Literal["profdiag-demand/1"]
    id: Identifier
    version: str = Field(pattern=r"^\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.]+)?$")
    title: LocalizedText
    region: str = Field(min_length=1, description="Whose labour market the flags describe.")
    catalogue: Identifier = Field(description="The id of the catalogue the flags are for.")
    sources: tuple[DemandSource, ...] = Field(min_length=1)
    flags: tuple[DemandFlag, ...]

    @model_validator(mode="after")
    def _consistent(self) -> RegionalDemand:
        problems = _repeated_ids([source.id for source in self.sources], "sources")
        repeated = {k for k, n in Counter(f.occupation for f in self.flags).items() if n > 1}
        problems += [
            DefinitionProblem(
                f"$.flags[{position}].occupation", flag.occupation, "an occupation flagged once"
            )
            for position, flag in enumerate(self.flags)
            if flag.occupation in repeated
        ]
        source_ids = {source.id for source in self.sources}
        for position, flag in enumerate(self.flags):
            for k, source in enumerate(flag.sources):
                if source not in source_ids:
                    problems.append(
                        DefinitionProblem(
                            f"$.flags[{position}].sources[{k}]",
                            source,
                            f"the id of a source in $.sources ({', '.join(sorted(source_ids))})",
                        )
                    )
        if problems:
            raise DocumentError("<demand>", problems)
        return self


OccupationDemand.model_rebuild()


def load_catalogue(
    path: str | Path | None = None, *, demand: str | Path | RegionalDemand | bool = True
) -> OccupationCatalogue:
    """The bundled catalogue, or a region's own catalogue file, with demand flags merged in.

    Parameters
    ----------
    path
        A catalogue file (format "profdiag-occupations/1"); None for the bundled one.
    demand
        True: the bundled demand file (the Tyumen region's), when it is written for this
        catalogue (a region's own catalogue with another id then gets no flags).
        False: no demand flags. A path or a `RegionalDemand`: that region's flags.

    Returns
    -------
    OccupationCatalogue
        The catalogue; each occupation's `demand` holds its flag and dated sources.

    Raises
    ------
    DocumentError
        A file cannot be read or breaks the format; every problem is listed with its JSON
        path, the value seen and what was expected.

    Examples
    --------
    >>> catalogue = load_catalogue()
    >>> catalogue.by_id["bus-driver"].restrictions.min_age
    21
    >>> load_catalogue(demand=False).by_id["bus-driver"].regional_demand
    False
    """
    if path is None:
        catalogue = _bundled()
        if demand is True:
            return _bundled_with_demand()
    else:
        catalogue = validate(OccupationCatalogue, read_document(path), str(path))
    if demand is False:
        return catalogue
    if demand is True:
        bundled = load_demand()
        if bundled.catalogue != catalogue.id:
            return catalogue
        return catalogue.with_demand(bundled, source=f"bundled:{_BUNDLED_DEMAND}")
    if isinstance(demand, RegionalDemand):
        return catalogue.with_demand(demand)
    return catalogue.with_demand(load_demand(demand), source=str(demand))


def load_demand(path: str | Path | None = None) -> RegionalDemand:
    """A region's demand file (format "profdiag-demand/1"), or the bundled Tyumen one.

    Parameters
    ----------
    path
        The demand file; None for the bundled one.

    Returns
    -------
    RegionalDemand
        The flags and their dated sources, not yet merged into a catalogue.

    Raises
    ------
    DocumentError
        The file cannot be read or breaks the format (JSON path, value, what was expected).

    Examples
    --------
    >>> load_demand().region
    'Тюменская область'
    """
    if path is None:
        return _bundled_demand()
    return validate(RegionalDemand, read_document(path), str(path))


def _resolve(
    demand: RegionalDemand, catalogue: OccupationCatalogue, source: str
) -> dict[str, OccupationDemand]:
    problems = []
    if demand.catalogue != catalogue.id:
        problems.append(
            DefinitionProblem(
                "$.catalogue", demand.catalogue, f"the id of the catalogue, {catalogue.id!r}"
            )
        )
    sources = {entry.id: entry for entry in demand.sources}
    flags = {}
    for position, flag in enumerate(demand.flags):
        if flag.occupation not in catalogue.by_id:
            problems.append(
                DefinitionProblem(
                    f"$.flags[{position}].occupation",
                    flag.occupation,
                    f"the id of an occupation in catalogue {catalogue.id!r}"
                    + _suggestion(flag.occupation, catalogue),
                )
            )
            continue
        flags[flag.occupation] = OccupationDemand(
            sources=tuple(sources[s] for s in flag.sources), note=flag.note
        )
    if problems:
        raise DocumentError(source, problems)
    return flags


def _suggestion(wrong: str, catalogue: OccupationCatalogue) -> str:
    words = set(re.split(r"[-_.]", wrong))
    scored = [(len(words & set(re.split(r"[-_.]", o.id))), o.id) for o in catalogue.occupations]
    best = max(scored, default=(0, ""))
    return f" (did you mean {best[1]!r}?)" if best[0] else ""


def _repeated_ids(ids: list[str], where: str) -> list[DefinitionProblem]:
    repeated = {k for k, n in Counter(ids).items() if n > 1}
    return [
        DefinitionProblem(f"$.{where}[{k}].id", value, "an id unique in the file")
        for k, value in enumerate(ids)
        if value in repeated
    ]


@lru_cache(maxsize=1)
def _bundled() -> OccupationCatalogue:
    entry = _folder() / _BUNDLED
    source = f"bundled:{_BUNDLED}"
    return validate(
        OccupationCatalogue, parse_document(entry.read_text(encoding="utf-8"), source), source
    )


@lru_cache(maxsize=1)
def _bundled_demand() -> RegionalDemand:
    entry = _folder() / _BUNDLED_DEMAND
    source = f"bundled:{_BUNDLED_DEMAND}"
    return validate(
        RegionalDemand, parse_document(entry.read_text(encoding="utf-8"), source), source
    )


@lru_cache(maxsize=1)
def _bundled_with_demand() -> OccupationCatalogue:
    return _bundled().with_demand(_bundled_demand(), source=f"bundled:{_BUNDLED_DEMAND}")


def _folder() -> Traversable:
    packaged = resources.files("profdiag") / "occupations"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "occupations"
