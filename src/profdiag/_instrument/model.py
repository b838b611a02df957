"""The instrument definition model: what an instrument JSON file may say.

Pydantic checks each field's type and range; `semantics.find_problems` then checks what
spans fields (references, duplicates, ranges), so a model that exists is a valid one.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

FORMAT_TAG = "profdiag-instrument/1"

Identifier = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9\u0400-\u04FF][A-Za-z0-9_.\-\u0400-\u04FF]*$",
        max_length=64,
        description="Latin or Cyrillic letters, digits, '_', '.', '-'; no space; "
        "starts with a letter or digit.",
    ),
]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
# Numbers that enter scoring arithmetic (codes, bounds, weights, points, stored values, norm
# means) are bounded, so that no sum or product of them can overflow to infinity; a numeric
# item without a declared bound accepts answers within the same magnitude.
MAX_MAGNITUDE = 1e9
MIN_POSITIVE = 1e-9  # the smallest weight or norm sd: 1 / weight and z stay finite
Magnitude = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
Code = Annotated[int, Field(ge=-int(MAX_MAGNITUDE), le=int(MAX_MAGNITUDE))]


def _not_tiny(value: float) -> float:
    if value < MIN_POSITIVE:
        raise ValueError(f"at least {MIN_POSITIVE:g} (dividing by less overflows)")
    return value


Positive = Annotated[
    float, Field(allow_inf_nan=False, gt=0, le=MAX_MAGNITUDE), AfterValidator(_not_tiny)
]
Language = Literal["ru", "en"]
LANGUAGES: tuple[Language, ...] = ("ru", "en")


def canonical_hash(model: BaseModel) -> str:
    """sha256 of a model's canonical JSON form: stable across whitespace and key order."""
    canonical = json.dumps(
        model.model_dump(mode="json", by_alias=True, exclude_none=True),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class LocalizedText(Frozen):
    """A text in Russian and/or English; at least one must be given."""

    ru: str | None = Field(default=None, min_length=1)
    en: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _at_least_one(self) -> LocalizedText:
        if self.ru is None and self.en is None:
            raise ValueError("a text in at least one language ('ru' or 'en')")
        return self

    def languages(self) -> tuple[Language, ...]:
        return tuple(lang for lang in LANGUAGES if getattr(self, lang) is not None)

    def get(self, language: Language) -> str:
        """The text in `language`, or in the other language when it is missing."""
        text = getattr(self, language) or self.ru or self.en
        assert text is not None
        return text


class TextStatus(StrEnum):
    ORIGINAL = "original"
    OFFICIAL_TRANSLATION = "official_translation"
    UNVALIDATED_TRANSLATION = "unvalidated_translation"
    NOT_SHIPPED = "not_shipped"


class Licence(Frozen):
    name: str = Field(min_length=1, description="E.g. 'Public domain', 'CC BY 4.0'.")
    url: str | None = None
    notice: LocalizedText | None = Field(
        default=None, description="A notice that must be shown wherever the texts are used."
    )


class Source(Frozen):
    citation: str = Field(min_length=1)
    url: str | None = None


class Audience(Frozen):
    min_age: int = Field(ge=5, le=120)
    max_age: int = Field(ge=5, le=120)
    minutes: int | None = Field(default=None, ge=1, le=600, description="Typical duration.")

    @model_validator(mode="after")
    def _ordered(self) -> Audience:
        if self.max_age < self.min_age:
            raise ValueError("max_age not less than min_age")
        return self


class Option(Frozen):
    """One answer option of a categorical item, e.g. 'а' with aliases 'a' and '1'."""

    code: str = Field(min_length=1, max_length=32)
    aliases: tuple[str, ...] = Field(default=(), description="Other spellings accepted as input.")
    label: LocalizedText | None = None


class LikertFormat(Frozen):
    """Ordered numeric codes, e.g. 1..5. The item's range is (first code, last code)."""

    type: Literal["likert"]
    codes: tuple[Code, ...] = Field(min_length=2, description="Accepted codes, increasing.")
    labels: dict[str, LocalizedText] = Field(default_factory=dict)
    missing_codes: tuple[str, ...] = Field(
        default=(), description="Input values that mean 'no answer', e.g. '9' or 'DK'."
    )

    @field_validator("codes")
    @classmethod
    def _increasing(cls, codes: tuple[Code, ...]) -> tuple[Code, ...]:
        if any(b <= a for a, b in itertools.pairwise(codes)):
            raise ValueError("codes in strictly increasing order")
        return codes


class BinaryFormat(Frozen):
    """Two numeric codes (default 0 and 1); range (low code, high code)."""

    type: Literal["binary"]
    codes: tuple[Code, Code] = (0, 1)
    labels: dict[str, LocalizedText] = Field(default_factory=dict)
    missing_codes: tuple[str, ...] = ()

    @field_validator("codes")
    @classmethod
    def _increasing(cls, codes: tuple[Code, Code]) -> tuple[Code, Code]:
        if codes[1] <= codes[0]:
            raise ValueError("two different codes, the lower first")
        return codes


class NumericFormat(Frozen):
    """A number entered directly; it has a range only when both bounds are declared.
    Answers beyond +-MAX_MAGNITUDE are refused even where no bound is declared."""

    type: Literal["numeric"]
    min: Magnitude | None = None
    max: Magnitude | None = None
    integer: bool = False
    missing_codes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _ordered(self) -> NumericFormat:
        if self.min is not None and self.max is not None and self.max <= self.min:
            raise ValueError("max greater than min")
        return self

    @property
    def has_range(self) -> bool:
        return self.min is not None and self.max is not None


class MultipleChoiceFormat(Frozen):
    """Pick one option; the item declares which options are correct (and partial credit)."""

    type: Literal["multiple_choice"]
    options: tuple[Option, ...] = Field(min_length=2)
    missing_codes: tuple[str, ...] = ()


class ForcedChoiceFormat(Frozen):
    """Pick one option of a pair or block; each scale says what each option scores."""

    type: Literal["forced_choice"]
    options: tuple[Option, ...] = Field(min_length=2)
    missing_codes: tuple[str, ...] = ()


KlimovType = Literal["nature", "technique", "human", "sign", "art"]


class SurveyOption(Option):
    """An option of a nominal or multiple-select item: a category, never a number."""

    exclusive: bool = Field(
        default=False,
        description="Multiple select: chosen alone or not at all ('none of these', "
        "'I do not know').",
    )
    specify: Identifier | None = Field(
        default=None,
        description="The id of the text item where a respondent who chose this option says "
        "what they mean ('other, specify').",
    )
    riasec: str | None = Field(
        default=None,
        pattern=r"^[RIASEC]{1,3}$",
        description="Fields of work: the Holland letters the field mostly calls for, as the "
        "occupation catalogue codes occupations.",
    )
    klimov_types: tuple[KlimovType, ...] = Field(
        default=(),
        max_length=2,
        description="Fields of work: Klimov's type(s) of the field's subject, as the "
        "occupation catalogue's 'ddo'.",
    )


class NominalFormat(Frozen):
    """Pick one category. Recorded and validated, never summed into a scale."""

    type: Literal["nominal"]
    options: tuple[SurveyOption, ...] = Field(min_length=2)
    missing_codes: tuple[str, ...] = ()


class MultipleSelectFormat(Frozen):
    """Choose all that apply: each option becomes a 0/1 indicator. Answers arrive as one
    cell of codes joined by `delimiter` ("1;3;5") in the item's column, or as one 0/1
    column per option named "<item>.<code>". Recorded, never summed into a scale."""

    type: Literal["multiple_select"]
    options: tuple[SurveyOption, ...] = Field(min_length=2)
    delimiter: str = Field(
        default=";",
        min_length=1,
        max_length=1,
        description="The character between the codes of one answer.",
    )
    max_selected: int | None = Field(
        default=None, ge=1, description="At most this many options ('choose up to three')."
    )
    missing_codes: tuple[str, ...] = ()


class TextFormat(Frozen):
    """Free text ('other, specify'): stored as written (trimmed), never scored."""

    type: Literal["text"]
    max_length: int = Field(default=500, ge=1, le=10_000, description="Characters at most.")
    missing_codes: tuple[str, ...] = ()


ResponseFormat = Annotated[
    LikertFormat
    | BinaryFormat
    | NumericFormat
    | MultipleChoiceFormat
    | ForcedChoiceFormat
    | NominalFormat
    | MultipleSelectFormat
    | TextFormat,
    Field(discriminator="type"),
]
CategoricalFormat = MultipleChoiceFormat | ForcedChoiceFormat
SurveyFormat = NominalFormat | MultipleSelectFormat | TextFormat
"""Formats whose answers are recorded and validated but never enter a scale."""


MAX_SLOPE = 20.0
MAX_THRESHOLD = 20.0
Threshold = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_THRESHOLD, le=MAX_THRESHOLD)]


class IrtParameters(Frozen):
    """Item response theory parameters, logistic metric without the 1.7 constant.

    2pl/3pl: P(right) = c + (1 - c) / (1 + exp(-a (theta - b))), `b` one number, `c` for
    3pl only. grm (Samejima's graded response model): P(x >= k) = 1 / (1 + exp(-a (theta -
    b_k))) for the item's codes in increasing order, `b` a list of K - 1 thresholds.
    """

    model: Literal["2pl", "3pl", "grm"]
    a: float = Field(
        allow_inf_nan=False, ge=-MAX_SLOPE, le=MAX_SLOPE, description="Slope (discrimination)."
    )
    b: Threshold | tuple[Threshold, ...] = Field(
        description="Difficulty (2pl/3pl) or ordered thresholds (grm)."
    )
    c: float | None = Field(
        default=None, ge=0, lt=1, allow_inf_nan=False, description="3pl: lower asymptote."
    )

    @model_validator(mode="after")
    def _consistent(self) -> IrtParameters:
        if abs(self.a) < 1e-6:
            raise ValueError("a slope 'a' other than 0")
        thresholds = self.thresholds
        if self.model == "grm":
            if isinstance(self.b, float | int):
                raise ValueError("grm: 'b' as a list of thresholds, one fewer than the codes")
            direction = 1 if self.a > 0 else -1
            if any(direction * (y - x) <= 0 for x, y in itertools.pairwise(thresholds)):
                raise ValueError(
                    "grm: thresholds 'b' strictly increasing (decreasing when 'a' < 0)"
                )
        elif len(thresholds) != 1:
            raise ValueError(f"{self.model}: one difficulty 'b'")
        if (self.c is not None) != (self.model == "3pl"):
            raise ValueError("'c' with the 3pl model, and only with it")
        return self

    @property
    def thresholds(self) -> tuple[float, ...]:
        return (float(self.b),) if isinstance(self.b, float | int) else tuple(self.b)


class Item(Frozen):
    id: Identifier
    format: Identifier = Field(description="Key into response_formats.")
    text: LocalizedText | None = Field(
        default=None, description="Optional: an overlay file may add texts later."
    )
    option_texts: dict[str, LocalizedText] = Field(
        default_factory=dict,
        description="Categorical items whose options are statements (e.g. a forced-choice "
        "pair): option code -> its text for this item.",
    )
    correct: tuple[str, ...] | None = Field(
        default=None, min_length=1, description="Multiple choice: option codes scored 1."
    )
    partial_credit: dict[str, Annotated[float, Field(gt=0, lt=1)]] = Field(
        default_factory=dict, description="Multiple choice: option code -> credit in (0, 1)."
    )
    note: str | None = None
    irt: IrtParameters | None = Field(
        default=None, description="Item response theory parameters (an item bank's items)."
    )


class ScaleItem(Frozen):
    item: Identifier
    reverse: bool = Field(default=False, description="Score as (min + max) - x.")
    weight: Positive = 1.0
    scores: dict[str, Magnitude] | None = Field(
        default=None,
        description="Categorical items: option code -> points; unlisted options score 0.",
    )


class GapHandling(StrEnum):
    SKIP = "skip"  # aggregate the answered items only (mean of answered; sum of answered)
    PRORATE = "prorate"  # sum of answered scaled up to the full scale length
    IMPUTE = "impute"  # a stored value per item stands in for a missing answer


class MissingRule(Frozen):
    min_answered: int | None = Field(default=None, ge=1)
    min_answered_fraction: float | None = Field(default=None, gt=0, le=1)
    gaps: GapHandling = GapHandling.SKIP
    impute_values: dict[str, Magnitude] = Field(
        default_factory=dict, description="Item id -> raw value used when it is missing."
    )

    @model_validator(mode="after")
    def _one_threshold(self) -> MissingRule:
        if self.min_answered is not None and self.min_answered_fraction is not None:
            raise ValueError("either min_answered or min_answered_fraction, not both")
        return self

    def required(self, n_items: int) -> int:
        if self.min_answered is not None:
            return self.min_answered
        if self.min_answered_fraction is not None:
            return max(1, math.ceil(self.min_answered_fraction * n_items - 1e-9))
        return 1


class Reliability(Frozen):
    value: float = Field(gt=0, lt=1)
    kind: Literal["alpha", "omega", "kr20", "split_half", "test_retest"] = "alpha"
    source: str = Field(min_length=1)


ScoreBasis = Literal["raw", "t", "percentile", "stanine", "sten"]


class BandLevel(Frozen):
    from_: Magnitude = Field(alias="from", description="Lower bound, inclusive.")
    code: Identifier
    label: LocalizedText

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Bands(Frozen):
    """Interpretation levels: level i applies from its `from` up to the next level's."""

    basis: ScoreBasis = "raw"
    levels: tuple[BandLevel, ...] = Field(min_length=1)

    @field_validator("levels")
    @classmethod
    def _increasing(cls, levels: tuple[BandLevel, ...]) -> tuple[BandLevel, ...]:
        if any(b.from_ <= a.from_ for a, b in itertools.pairwise(levels)):
            raise ValueError("levels ordered by strictly increasing 'from'")
        return levels


class Scale(Frozen):
    id: Identifier
    title: LocalizedText
    description: LocalizedText | None = None
    items: tuple[ScaleItem, ...] = Field(min_length=1)
    aggregation: Literal["sum", "mean"] = "sum"
    missing: MissingRule = MissingRule()
    reliability: Reliability | None = None
    bands: Bands | None = None
    time_limit_seconds: int | None = Field(
        default=None,
        ge=1,
        le=86_400,
        description="Timed subtests: the time allowed for the scale's items (at most a day).",
    )


class AgeBand(Frozen):
    """Completed years of age, both bounds inclusive."""

    min: int = Field(ge=0, le=120)
    max: int = Field(ge=0, le=120)

    @model_validator(mode="after")
    def _ordered(self) -> AgeBand:
        if self.max < self.min:
            raise ValueError("max not less than min")
        return self


class Selector(Frozen):
    """Who a norm group is for; an attribute left out matches everyone."""

    sex: tuple[Literal["f", "m"], ...] | None = Field(default=None, min_length=1)
    age: AgeBand | None = None
    grade: tuple[Annotated[int, Field(ge=1, le=12)], ...] | None = Field(default=None, min_length=1)


class TableRow(Frozen):
    raw_min: Magnitude
    raw_max: Magnitude
    percentile: float | None = Field(default=None, ge=0, le=100)
    t: Magnitude | None = None
    stanine: int | None = Field(default=None, ge=1, le=9)
    sten: int | None = Field(default=None, ge=1, le=10)

    @model_validator(mode="after")
    def _ordered(self) -> TableRow:
        if self.raw_max < self.raw_min:
            raise ValueError("raw_max not less than raw_min")
        if all(v is None for v in (self.percentile, self.t, self.stanine, self.sten)):
            raise ValueError("at least one of percentile, t, stanine, sten")
        return self


class ScaleNorm(Frozen):
    mean: Magnitude | None = None
    sd: Positive | None = None
    table: tuple[TableRow, ...] = ()

    @model_validator(mode="after")
    def _something(self) -> ScaleNorm:
        if (self.mean is None) != (self.sd is None):
            raise ValueError("mean and sd together")
        if self.mean is None and not self.table:
            raise ValueError("mean and sd, or a table, or both")
        return self


class NormGroup(Frozen):
    id: Identifier
    title: LocalizedText
    source: str = Field(min_length=1)
    sample_size: int = Field(gt=0, le=10**10)
    year: int | None = Field(default=None, ge=1900, le=2100)
    selector: Selector = Selector()
    scales: dict[str, ScaleNorm] = Field(min_length=1)


class CodeRule(Frozen):
    """How a profile summarises the instrument's scales.

    riasec: a Holland code of `length` letters; `letters` maps each of the six scales to its
    RIASEC letter. leading: the scale(s) with the highest score (Klimov's ДДО types);
    `klimov_types` maps each of five scales to the Klimov type the occupation catalogue
    uses, which makes the instrument's scores usable for occupation matching.
    Scores within `tie_margin` of each other count as tied and are reported as such.
    """

    kind: Literal["riasec", "leading"]
    letters: dict[str, Literal["R", "I", "A", "S", "E", "C"]] = Field(default_factory=dict)
    klimov_types: dict[str, KlimovType] = Field(
        default_factory=dict,
        description="kind leading: scale id -> Klimov type (Человек — природа: nature, "
        "техника: technique, человек: human, знаковая система: sign, "
        "художественный образ: art), for occupation matching.",
    )
    length: int = Field(default=3, ge=1, le=6)
    tie_margin: float = Field(default=0.0, allow_inf_nan=False, ge=0, le=MAX_MAGNITUDE)


class Instrument(Frozen):
    format: Literal["profdiag-instrument/1"] = Field(
        description="Format tag; bumps when the format changes incompatibly."
    )
    id: Identifier
    version: str = Field(pattern=r"^\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.]+)?$")
    title: LocalizedText
    description: LocalizedText
    authors: tuple[str, ...] = Field(min_length=1)
    licence: Licence
    source: Source
    text_status: dict[Language, TextStatus] = Field(
        description="For each language: whether item texts are original, translated or absent."
    )
    audience: Audience | None = None
    measures: Literal["interests", "types", "personality", "aptitude", "other"] = Field(
        default="other", description="What the instrument measures (reports word it by this)."
    )
    notes: LocalizedText | None = None
    response_formats: dict[Identifier, ResponseFormat] = Field(min_length=1)
    items: tuple[Item, ...] = Field(min_length=1)
    scales: tuple[Scale, ...] = Field(min_length=1)
    norms: tuple[NormGroup, ...] = ()
    code_rule: CodeRule | None = Field(
        default=None, description="How profiles summarise the scales (type code, leading types)."
    )
    # Set by apply_overlay: the hashes of the definition as shipped and of its text overlay.
    _base_hash: str | None = PrivateAttr(default=None)
    _overlay_hash: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Instrument:
        from profdiag._instrument.semantics import find_problems  # imports this module
        from profdiag.errors import InstrumentError

        problems = find_problems(self)
        if problems:
            # Not a ValueError on purpose: pydantic passes it through with its JSON paths intact.
            raise InstrumentError("<instrument>", problems)
        return self

    def __hash__(self) -> int:
        return hash(self.content_hash)

    @cached_property
    def content_hash(self) -> str:
        return canonical_hash(self)

    def mark_overlaid(self, base_hash: str, overlay_hash: str) -> None:
        self._base_hash, self._overlay_hash = base_hash, overlay_hash

    @property
    def scoring_hash(self) -> str:
        """The hash of the definition as shipped (texts from an overlay do not change scores)."""
        return self._base_hash or self.content_hash

    @property
    def overlay_hash(self) -> str | None:
        return self._overlay_hash

    @cached_property
    def item_index(self) -> dict[str, int]:
        return {item.id: position for position, item in enumerate(self.items)}

    @cached_property
    def scale_index(self) -> dict[str, int]:
        return {scale.id: position for position, scale in enumerate(self.scales)}

    def format_of(self, item: Item) -> Any:
        return self.response_formats[item.format]

    def scale(self, scale_id: str) -> Scale:
        return self.scales[self.scale_index[scale_id]]

    def is_survey_item(self, item: Item) -> bool:
        """Nominal, multiple-select and text items: recorded, never scored."""
        return isinstance(self.response_formats.get(item.format), SurveyFormat)

    def item_range(self, item: Item) -> tuple[float, float] | None:
        """(min, max) of an item's values where declared; None for categorical items."""
        fmt = self.format_of(item)
        if isinstance(fmt, LikertFormat | BinaryFormat):
            return float(fmt.codes[0]), float(fmt.codes[-1])
        if isinstance(fmt, NumericFormat) and fmt.min is not None and fmt.max is not None:
            return fmt.min, fmt.max
        return None
