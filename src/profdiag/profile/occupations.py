"""The occupation catalogue: titles, RIASEC codes, ДДО types, education routes, demand.

A catalogue is data (JSON, format "profdiag-occupations/1"). profdiag bundles one written
from public facts; a region can load its own in the same format, checked the same way.
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from profdiag.errors import DefinitionProblem, InstrumentError
from profdiag.instrument.loading import parse_document, read_document, validate
from profdiag.instrument.model import Frozen, Identifier, LocalizedText

CATALOGUE_TAG = "profdiag-occupations/1"
RIASEC = "RIASEC"
DDO_TYPES = ("nature", "technique", "human", "sign", "art")
EducationRoute = Literal["short_course", "college", "university"]
_BUNDLED = "profdiag-occupations-ru.json"

RiasecCode = Annotated[
    str,
    Field(
        pattern=r"^[RIASEC]{1,3}$",
        description="Holland code: 1 to 3 different letters of RIASEC, strongest first.",
    ),
]


class SourceRef(Frozen):
    id: Identifier
    citation: str = Field(min_length=1)
    url: str | None = None


class Occupation(Frozen):
    id: Identifier
    title: LocalizedText
    riasec: RiasecCode
    ddo: tuple[Literal["nature", "technique", "human", "sign", "art"], ...] = Field(
        min_length=1, max_length=2, description="Klimov's type(s) of the occupation's subject."
    )
    education: tuple[EducationRoute, ...] = Field(min_length=1)
    regional_demand: bool = Field(description="In demand in the region's labour market.")
    sources: tuple[Identifier, ...] = Field(min_length=1)
    onet_soc: str | None = Field(default=None, pattern=r"^\d{2}-\d{4}\.\d{2}$")
    note: str | None = None

    @field_validator("riasec")
    @classmethod
    def _distinct_letters(cls, code: str) -> str:
        if len(set(code)) != len(code):
            raise ValueError("different letters")
        return code


class OccupationCatalogue(Frozen):
    format: Literal["profdiag-occupations/1"]
    id: Identifier
    version: str = Field(pattern=r"^\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.]+)?$")
    title: LocalizedText
    region: str = Field(min_length=1, description="Whose labour market the demand flags describe.")
    sources: tuple[SourceRef, ...] = Field(min_length=1)
    occupations: tuple[Occupation, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> OccupationCatalogue:
        problems = []
        source_ids = {source.id for source in self.sources}
        repeated = {k for k, n in Counter(o.id for o in self.occupations).items() if n > 1}
        for position, occupation in enumerate(self.occupations):
            if occupation.id in repeated:
                problems.append(
                    DefinitionProblem(
                        f"$.occupations[{position}].id",
                        occupation.id,
                        "an id unique in the catalogue",
                    )
                )
            for k, source in enumerate(occupation.sources):
                if source not in source_ids:
                    problems.append(
                        DefinitionProblem(
                            f"$.occupations[{position}].sources[{k}]",
                            source,
                            f"the id of a source in $.sources ({', '.join(sorted(source_ids))})",
                        )
                    )
        if problems:
            raise InstrumentError("<catalogue>", problems)
        return self

    @cached_property
    def by_id(self) -> dict[str, Occupation]:
        return {occupation.id: occupation for occupation in self.occupations}


def load_catalogue(path: str | Path | None = None) -> OccupationCatalogue:
    """The bundled catalogue, or a region's own catalogue file."""
    if path is None:
        return _bundled()
    return validate(OccupationCatalogue, read_document(path), str(path))


@lru_cache(maxsize=1)
def _bundled() -> OccupationCatalogue:
    entry = _folder() / _BUNDLED
    source = f"bundled:{_BUNDLED}"
    return validate(
        OccupationCatalogue, parse_document(entry.read_text(encoding="utf-8"), source), source
    )


def _folder() -> Traversable:
    packaged = resources.files("profdiag") / "occupations"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "occupations"
