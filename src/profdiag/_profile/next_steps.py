"""A region's next steps (JSON, format "profdiag-next-steps/1"): what a client can do after
the results, each step with its Russian and English text and whom it is for.

The bundled file is the Tyumen region's (`occupations/next-steps-tyumen.json`); a region
writes its own in the same format (docs/profiles.md) and passes it to `build_profiles`,
``profdiag profile`` or ``profdiag report``. Each profile keeps the steps that suit the
person (age group, stage of education, whether an occupation list was given), so that a
report is made from the profile alone.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from profdiag._instrument.loading import parse_document, read_document, validate
from profdiag._instrument.model import Frozen, Identifier, LocalizedText
from profdiag._profile.matching import Stage
from profdiag._profile.model import AgeGroup, NextStep, NextSteps, Profile
from profdiag._profile.occupations import BilingualText
from profdiag.errors import DefinitionProblem, DocumentError

NEXT_STEPS_TAG = "profdiag-next-steps/1"
_BUNDLED = "next-steps-tyumen.json"


class StepRule(Frozen):
    """One next step and whom it is for."""

    id: Identifier
    text: BilingualText
    who: tuple[AgeGroup, ...] = Field(
        min_length=1,
        description="minor (under 18, or at school), adult; a person whose age group is "
        "unknown gets only the steps for both.",
    )
    stages: tuple[Stage, ...] | None = Field(
        default=None,
        description="Only for these stages of education (a person whose stage is unknown "
        "gets it too); null: any stage.",
    )
    when: Literal["occupations_listed", "no_occupations_listed"] | None = Field(
        default=None,
        description="Only when the report lists occupations, or only when it does not.",
    )

    def suits(self, group: AgeGroup | None, stage: str | None, listed: bool) -> bool:
        if group is None and len(set(self.who)) < 2:
            return False
        if group is not None and group not in self.who:
            return False
        if self.stages is not None and stage is not None and stage not in self.stages:
            return False
        return self.when is None or (self.when == "occupations_listed") == listed


class NextStepsFile(Frozen):
    """A region's next steps, in the order the report lists them."""

    format: Literal["profdiag-next-steps/1"]
    id: Identifier
    version: str = Field(pattern=r"^\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.]+)?$")
    title: LocalizedText
    region: str = Field(min_length=1, description="Where the steps are offered.")
    note: LocalizedText | None = Field(
        default=None, description="How the steps were written (for the file's readers)."
    )
    steps: tuple[StepRule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> NextStepsFile:
        repeated = {k for k, n in Counter(step.id for step in self.steps).items() if n > 1}
        problems = [
            DefinitionProblem(f"$.steps[{k}].id", step.id, "an id unique in the file")
            for k, step in enumerate(self.steps)
            if step.id in repeated
        ]
        if problems:
            raise DocumentError("<next steps>", problems)
        return self

    def for_profile(self, profile: Profile) -> NextSteps:
        """The steps that suit the person of `profile`, in the file's order."""
        group, listed = profile.age_group(), bool(profile.matches)
        return NextSteps(
            id=self.id,
            version=self.version,
            region=self.region,
            steps=[
                NextStep(id=step.id, text=LocalizedText(ru=step.text.ru, en=step.text.en))
                for step in self.steps
                if step.suits(group, profile.stage, listed)
            ],
        )


def load_next_steps(path: str | Path | None = None) -> NextStepsFile:
    """A region's next-steps file, or the bundled Tyumen one.

    Parameters
    ----------
    path
        A file of format "profdiag-next-steps/1"; None for the bundled one.

    Returns
    -------
    NextStepsFile
        The steps, in the order the report lists them.

    Raises
    ------
    DocumentError
        The file cannot be read or breaks the format (JSON path, value, what was expected).

    Examples
    --------
    >>> load_next_steps().region
    'Тюменская область'
    """
    if path is None:
        return _bundled()
    return validate(NextStepsFile, read_document(path), str(path))


def with_next_steps(profiles: list[Profile], steps: NextStepsFile) -> list[Profile]:
    """The profiles with the steps of `steps` that suit each person (replacing any)."""
    return [
        profile.model_copy(update={"next_steps": steps.for_profile(profile)})
        for profile in profiles
    ]


@lru_cache(maxsize=1)
def _bundled() -> NextStepsFile:
    entry = _folder() / _BUNDLED
    source = f"bundled:{_BUNDLED}"
    return validate(
        NextStepsFile, parse_document(entry.read_text(encoding="utf-8"), source), source
    )


def _folder() -> Traversable:
    packaged = resources.files("profdiag") / "occupations"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "occupations"
