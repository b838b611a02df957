"""Reports follow the person and the instrument (issue 15): each text is checked where it is
true and its absence where it would be false, for an adult, a minor, a person of unknown
age, the aptitude sampler alone, the IPIP alone, a near tie and an exact tie, in Russian
and English; the session's facts and names come through the CLI; Russian typography holds
in the PDF's text layer."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

import profdiag
from profdiag._profile.build import ProfileInput, build_profiles, sessions_per_row
from profdiag._profile.model import Profile, Session, parse_testing_date
from profdiag._profile.next_steps import load_next_steps, with_next_steps
from profdiag._profile.occupations import load_catalogue
from profdiag._report.context import (
    TYPESET,
    format_date,
    format_number,
    format_percent,
    greeting_name,
    plural,
    report_texts,
)
from profdiag._report.demo import demo_profiles
from profdiag._report.render import ReportOptions, render_html, render_pdf
from profdiag.cli import main
from profdiag.errors import DocumentError, ResponseDataError

ONET_BLOCK = "RRIIAASSEECC"  # O*NET IP-SF: each block of 12 items, two per area
LANGUAGES = ("ru", "en")
TEXTS = report_texts()
STEPS = {step.id: step for step in load_next_steps().steps}
SESSION = Session(
    date="14.03.2025",
    counsellor="Е. П. Иванова",
    organisation="Центр занятости населения",
    contacts="каб. 12",
)


def onet_answers(areas: dict[str, int]) -> dict[str, int]:
    return {f"ip{k + 1:02d}": areas[ONET_BLOCK[k % 12]] for k in range(60)}


CLEAR = {"R": 1, "I": 2, "A": 0, "S": 4, "E": 3, "C": 2}  # S 40, E 30, I 20, C 20


def onet_profile(
    areas: dict[str, int] = CLEAR, sheet: dict[str, int] | None = None, **kw: Any
) -> Profile:
    onet = profdiag.load_instrument("onet-ip-sf-60")
    data = sheet if sheet is not None else onet_answers(areas)
    kw.setdefault("next_steps", load_next_steps())
    return build_profiles([ProfileInput(onet, [data])], catalogue=load_catalogue(), **kw)[0]


def aptitude_profile(**kw: Any) -> Profile:
    sampler = profdiag.load_instrument("profdiag-aptitude-sampler")
    answers = {}
    for k, item in enumerate(sampler.items):  # two of every three right
        key = item.correct[0]
        answers[item.id] = key if k % 3 else ("a" if key != "a" else "b")
    seconds = {scale.id: [300] for scale in sampler.scales}
    part = ProfileInput(sampler, [answers], subtest_seconds=seconds)
    return build_profiles([part], catalogue=load_catalogue(), next_steps=load_next_steps(), **kw)[0]


def ipip_profile(**kw: Any) -> Profile:
    ipip = profdiag.load_instrument("ipip-bfm-50")
    answers = {item.id: k % 5 + 1 for k, item in enumerate(ipip.items)}
    part = ProfileInput(ipip, [answers])
    return build_profiles([part], catalogue=load_catalogue(), next_steps=load_next_steps(), **kw)[0]


def page(profile: Profile, language: str = "ru", audience: str = "client") -> str:
    """The visible text of the rendered report; non-breaking spaces kept."""
    rendered = render_html(profile, ReportOptions(audience=audience, language=language))  # type: ignore[arg-type]
    without_tags = re.sub(
        r"<[^>]+>", " ", re.sub(r"<(style|svg)[^>]*>.*?</\1>", " ", rendered, flags=re.S)
    )
    return re.sub(r"[ \t\n\r\f\v]+", " ", html.unescape(without_tags))


def step(step_id: str, language: str) -> str:
    """A bundled next step's text as the report prints it (typeset)."""
    text = STEPS[step_id].text
    return TYPESET[language](text.ru if language == "ru" else text.en)


# ---------- Age groups ----------


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_adult_gets_no_parents_note_and_adult_next_steps(language: str) -> None:
    t = TEXTS[language]
    profile = onet_profile(
        ages=[45], names=["Васильева Ольга Николаевна"], stage="adult_with_profession"
    )
    assert profile.age_group() == "adult"
    text = page(profile, language)
    assert t["parents_note"] not in text and t["parents_note_label"] not in text
    assert t["intro_closing"]["adult"] in text
    assert t["intro_closing"]["minor"] not in text
    assert t["not_mean"]["interests_change_adult"] in text
    assert t["not_mean"]["interests_change"] not in text
    for adult_step in ("employment-centre", "rabota-rossii", "try-before-retraining"):
        assert step(adult_step, language) in text
    for minor_step in (
        "ticket-to-the-future",
        "professionalitet",
        "parents",
        "teen-temporary-work",
    ):
        assert step(minor_step, language) not in text
    assert f"{t['greeting']}, Ольга Николаевна!" in text  # first name and patronymic
    assert t["greeting_thanks"] not in text
    counsellor = page(profile, language, "counsellor")
    assert t["prompts"]["interests"]["adult"][1] in counsellor
    assert t["prompts"]["interests"]["minor"][1] not in counsellor


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_minor_gets_the_parents_note_a_first_name_and_school_steps(language: str) -> None:
    t = TEXTS[language]
    profile = onet_profile(ages=[15], names=["Петрова Анна"], given_names=["Анна"], stage="grade9")
    assert profile.age_group() == "minor"
    text = page(profile, language)
    assert t["parents_note"] in text
    assert f"{t['greeting']}, Анна!" in text
    assert "Петрова Анна!" not in text
    assert t["greeting_thanks"] in text
    assert t["intro_closing"]["minor"] in text
    assert t["not_mean"]["interests_change"] in text
    for minor_step in ("ticket-to-the-future", "professionalitet", "parents", "explore-listed"):
        assert step(minor_step, language) in text
    for adult_step in ("employment-centre", "rabota-rossii", "explore-unlisted"):
        assert step(adult_step, language) not in text
    counsellor = page(profile, language, "counsellor")
    assert t["prompts"]["interests"]["minor"][1] in counsellor


@pytest.mark.parametrize("language", LANGUAGES)
def test_unknown_age_gets_neither_parents_note_nor_group_steps(language: str) -> None:
    t = TEXTS[language]
    profile = onet_profile()
    assert profile.age_group() is None
    text = page(profile, language)
    assert t["parents_note"] not in text
    assert t["intro_closing"]["unknown"] in text
    assert step("discuss", language) in text  # a step for everyone
    assert step("parents", language) not in text
    assert step("rabota-rossii", language) not in text


def test_age_group_rule() -> None:
    base = onet_profile()
    cases = [
        ({"age": 17}, "minor"),
        ({"age": 18}, "adult"),
        ({"age": 17, "stage": "adult_without_profession"}, "minor"),  # the age decides
        ({"stage": "grade11"}, "minor"),
        ({"stage": "adult_with_profession"}, "adult"),
        ({}, None),
    ]
    for update, group in cases:
        assert base.model_copy(update=update).age_group() == group, update


def test_ages_come_from_the_age_attribute_and_are_checked() -> None:
    onet = profdiag.load_instrument("onet-ip-sf-60")
    rows = [onet_answers(CLEAR)] * 3
    part = ProfileInput(onet, rows, attributes={"age": ["15", "", "45"]})
    assert [p.age for p in build_profiles([part])] == [15, None, 45]
    bad = ProfileInput(onet, rows, attributes={"age": ["15", "пятнадцать", "45"]})
    with pytest.raises(ResponseDataError) as caught:
        build_profiles([bad])
    assert caught.value.problems[0].row == 1 and caught.value.problems[0].column == "age"


# ---------- Instruments ----------


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_aptitude_report_speaks_of_tasks_not_interests(language: str) -> None:
    t = TEXTS[language]
    profile = aptitude_profile(ages=[16])
    text = page(profile, language)
    assert t["intro_no_right_answers"] not in text
    assert t["intro_no_right_answers_one"] not in text
    assert t["intro_aptitude"] in text  # right answers existed
    assert t["not_mean"]["interests_not_ability"] not in text
    assert t["not_mean"]["interests_change"] not in text
    assert t["not_mean"]["aptitude"] in text
    assert t["not_mean"]["aptitude_unnormed"] in text
    assert t["not_mean"]["list"] not in text  # no occupation list was given
    assert t["all_tied"]["aptitude"] in text  # 8 of 12 right in every section
    assert t["all_tied"]["interests"] not in text
    # no suggestion to retake an interest inventory that was never given
    assert t["validity_outro"]["interests"] not in text
    assert t["matches_heading"] not in text
    assert step("explore-unlisted", language) in text
    assert step("explore-listed", language) not in text
    assert t["matches_none_client"] not in text
    counsellor = page(profile, language, "counsellor")
    assert t["col_attempted"] in counsellor
    assert t["matches_none_c"] in counsellor and t["concl_no_matching"] in counsellor
    assert t["prompts"]["aptitude"]["all"][0] in counsellor
    assert t["prompts"]["interests"]["all"][0] not in counsellor


def test_aptitude_tasks_are_done_not_solved() -> None:
    ru = TEXTS["ru"]
    assert ru["col_attempted"] == "Выполнено заданий"
    counsellor = page(aptitude_profile(), "ru", "counsellor")
    assert "Решено" not in counsellor and "решённых" not in counsellor
    assert "8 из 12" in page(aptitude_profile(), "ru", "counsellor")  # the conclusion's levels


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_personality_report_makes_no_interest_claims(language: str) -> None:
    t = TEXTS[language]
    profile = ipip_profile(ages=[30])
    text = page(profile, language)
    assert t["intro_kind"]["personality"] in text
    assert t["intro_no_right_answers_one"] in text
    assert t["not_mean"]["personality"] in text
    for line in ("interests_not_ability", "weak_interest", "aptitude"):
        assert t["not_mean"][line] not in text
    assert t["intro_aptitude"] not in text
    assert t["matches_heading"] not in text
    counsellor = page(profile, language, "counsellor")
    assert t["prompts"]["personality"]["adult"][0] in counsellor


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_interest_report_says_it_measures_likes_not_ability(language: str) -> None:
    t = TEXTS[language]
    text = page(onet_profile(), language)
    assert t["intro_no_right_answers_one"] in text
    assert t["not_mean"]["interests_not_ability"] in text
    assert t["not_mean"]["list"] in text
    assert t["intro_aptitude"] not in text
    assert t["not_mean"]["aptitude"] not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_empty_list_after_matching_is_not_called_a_missing_inventory(language: str) -> None:
    # One occupation coded R against a person coded SE(I/C): nothing reaches "possible".
    bundled = load_catalogue()
    only = bundled.occupations[0].model_copy(update={"riasec": "R", "interests": None})
    catalogue = bundled.model_copy(update={"occupations": (only,)})
    onet = profdiag.load_instrument("onet-ip-sf-60")
    profile = build_profiles([ProfileInput(onet, [onet_answers(CLEAR)])], catalogue=catalogue)[0]
    assert profile.matches == [] and profile.matching is not None
    assert profile.matching.withheld is None
    t = TEXTS[language]
    client = page(profile, language)
    assert t["matches_none_client"] in client
    counsellor = page(profile, language, "counsellor")
    assert t["matches_below_c"] in counsellor and t["concl_below"] in counsellor
    assert t["matches_none_c"] not in counsellor and t["concl_no_matching"] not in counsellor


# ---------- Near ties ----------


def test_the_bundled_riasec_inventories_declare_a_margin_of_two_points() -> None:
    for instrument_id in ("profdiag-riasec-72", "onet-ip-sf-60"):
        rule = profdiag.load_instrument(instrument_id).code_rule
        assert rule is not None and rule.tie_margin == 2


def near_tie() -> Profile:
    sheet = onet_answers({"R": 0, "I": 1, "A": 4, "S": 4, "E": 2, "C": 0})
    sheet["ip08"] = 3  # S 39, A 40
    return onet_profile(sheet=sheet, ages=[16])


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_near_tie_reads_as_about_equally_strong(language: str) -> None:
    t = TEXTS[language]
    profile = near_tie()
    section = profile.instruments[0]
    assert section.code == "(A/S)E" and section.leading == ["A", "S"]
    text = page(profile, language)
    margin = plural(2, t["points_forms"], language)  # type: ignore[arg-type]
    assert t["leading_near"]["interests"] in text
    assert t["leading_near_note"].format(margin=margin) in text
    assert t["leading_one"]["interests"] not in text
    assert t["leading_many_note"] not in text  # not "equal"
    assert t["tie_explain_margin"].format(margin=margin) in text
    assert t["tie_explain"] not in text
    counsellor = page(profile, language, "counsellor")
    assert t["holland_tied_explain_margin"].format(margin=margin) in counsellor
    assert t["tie_margin_note_c"].format(margin=margin) in counsellor


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_exact_tie_reads_as_equal(language: str) -> None:
    t = TEXTS[language]
    profile = onet_profile({"R": 0, "I": 1, "A": 4, "S": 4, "E": 2, "C": 0})
    assert profile.instruments[0].code == "(A/S)E"
    text = page(profile, language)
    assert t["leading_many"]["interests"] in text and t["leading_many_note"] in text
    assert t["leading_near"]["interests"] not in text
    assert t["tie_explain"] in text


def test_demo01_is_not_told_one_area_is_strongest() -> None:
    demo01 = demo_profiles()[0]
    riasec = demo01.instruments[0]
    scores = {scale.id: scale.raw for scale in riasec.scales}
    assert (scores["A"], scores["S"]) == (39, 38)
    assert riasec.code == "(A/S)E" and riasec.leading == ["A", "S"]
    text = page(demo01)
    assert "Сильнее всего у вас выражено направление «Артистический»" not in text
    assert "«Артистический» и «Социальный»" in text


def test_a_near_tie_does_not_reorder_occupations() -> None:
    # A 40, S 39 and A 39, S 40 are the same code (A/S)E: Holland congruence is the same for
    # every occupation, so which of the two came first does not reorder the list.
    answers = onet_answers({"R": 0, "I": 1, "A": 4, "S": 4, "E": 2, "C": 0})
    first = onet_profile(sheet=answers | {"ip08": 3}, ages=[16], top=500)  # A 40, S 39
    second = onet_profile(sheet=answers | {"ip05": 3}, ages=[16], top=500)  # A 39, S 40
    assert first.instruments[0].code == second.instruments[0].code == "(A/S)E"
    # (the profile correlation, the other half of the fit, follows the scores themselves)
    congruence = {m.id: m.congruence for m in first.matches}
    other = {m.id: m.congruence for m in second.matches}
    shared = congruence.keys() & other.keys()
    assert len(shared) > 10
    assert {k: congruence[k] for k in shared} == {k: other[k] for k in shared}


# ---------- Session facts, names, the conclusion ----------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_counsellor_report_opens_with_the_session_and_a_conclusion(language: str) -> None:
    t = TEXTS[language]
    profile = onet_profile(ages=[45], names=["Иванов Пётр"], sessions=SESSION)
    text = page(profile, language, "counsellor")
    date = "14.03.2025" if language == "ru" else "14 March 2025"
    for fact in (date, "Е. П. Иванова", "Центр занятости населения", "каб. 12"):
        assert fact in text
    conclusion = text.index(t["conclusion_heading"])
    assert conclusion < text.index(t["scales_table_heading"])
    summary = text[conclusion : text.index(t["scales_table_heading"])]
    assert "SE(I/C)" in summary  # the code
    assert t["concl_validity_ok"] in summary
    top = profile.matches[0].title.get(language)
    assert top in summary and t["fit_levels"][profile.matches[0].fit_level] in summary
    client = page(profile, language)
    assert t["your_counsellor"] in client and date in client


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_conclusion_gives_the_reason_when_no_list_is_made(language: str) -> None:
    t = TEXTS[language]
    flat = demo_profiles()[7]
    assert flat.matching is not None and flat.matching.withheld == "flat_profile"
    text = page(flat, language, "counsellor")
    assert t["concl_withheld"].format(reason=t["withheld_short"]["flat_profile"]) in text
    assert t["flag_names"]["flat_profile"] in text


def test_dates_of_testing() -> None:
    assert parse_testing_date("2025-03-14") == parse_testing_date("14.03.2025") == "2025-03-14"
    for wrong in ("2025-02-30", "14/03/2025", "вчера", "31.04.2025"):
        with pytest.raises(ValueError):
            parse_testing_date(wrong)
    rows = sessions_per_row(SESSION, ["2025-03-15", "", None], 3, column="tested")
    assert [row.date if row else None for row in rows] == ["2025-03-15", "2025-03-14", "2025-03-14"]
    assert rows[0] is not None and rows[0].counsellor == SESSION.counsellor
    with pytest.raises(ResponseDataError) as caught:
        sessions_per_row(None, ["2025-03-15", "15 марта"], 2, column="tested")
    problem = caught.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (1, "tested", "15 марта")


def test_a_long_name_is_refused_without_repeating_it() -> None:
    onet = profdiag.load_instrument("onet-ip-sf-60")
    name = "Я" * 301
    with pytest.raises(ResponseDataError) as caught:
        build_profiles([ProfileInput(onet, [onet_answers(CLEAR)])], names=[name])
    assert name not in str(caught.value)
    assert "301 characters" in str(caught.value)


def test_greeting_names() -> None:
    profile = onet_profile()
    assert greeting_name(profile, "Васильева Ольга Николаевна", "adult") == "Ольга Николаевна"
    assert greeting_name(profile, "Васильева Ольга Николаевна", "minor") == "Ольга"
    assert greeting_name(profile, "Иван Ильич Шостакович", "adult") == "Иван Ильич"
    assert greeting_name(profile, "Шостакович Дмитрий Дмитриевич", "minor") == "Дмитрий"
    assert greeting_name(profile, "Петрова Анна", "minor") == "Петрова Анна"  # no guess
    given = profile.model_copy(update={"given_name": "Аня"})
    assert greeting_name(given, "Петрова Анна", "minor") == "Аня"


def write_csv(folder: Path, rows: list[dict[str, Any]]) -> Path:
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(str(row[key]) for key in header) for row in rows]
    path = folder / "answers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_profile_command_takes_names_and_session_facts(tmp_path: Path) -> None:
    rows = [
        {"id": "p1", "fio": "Васильева Ольга Николаевна", "imya": "", "tested": "14.03.2025"}
        | {"age": 45}
        | onet_answers(CLEAR),
        {"id": "p2", "fio": "Петров Иван", "imya": "Ваня", "tested": "", "age": 15}
        | onet_answers(CLEAR),
    ]
    data = write_csv(tmp_path, rows)
    session = tmp_path / "session.json"
    session.write_text(
        json.dumps({"date": "2025-03-13", "counsellor": "Е. П. Иванова", "organisation": "ЦЗН"}),
        encoding="utf-8",
    )
    out = tmp_path / "profiles.json"
    result = CliRunner().invoke(
        main,
        [
            "profile",
            "onet-ip-sf-60",
            str(data),
            "--name-column",
            "fio",
            "--given-name-column",
            "imya",
            "--date-column",
            "tested",
            "--session",
            str(session),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.stderr
    profiles = json.loads(out.read_text(encoding="utf-8"))["profiles"]
    assert [p["name"] for p in profiles] == ["Васильева Ольга Николаевна", "Петров Иван"]
    assert [p["given_name"] for p in profiles] == [None, "Ваня"]
    assert [p["session"]["date"] for p in profiles] == ["2025-03-14", "2025-03-13"]
    assert profiles[0]["session"]["counsellor"] == "Е. П. Иванова"
    assert [p["age"] for p in profiles] == [45, 15]
    steps = [[s["id"] for s in p["next_steps"]["steps"]] for p in profiles]
    assert "rabota-rossii" in steps[0] and "parents" in steps[1]
    # names are personal data: not in messages, not in file names
    assert "Васильева" not in result.stderr and "Петров" not in result.stderr
    reports = tmp_path / "reports"
    made = CliRunner().invoke(main, ["report", str(out), "--out", str(reports), "--workers", "1"])
    assert made.exit_code == 0, made.stderr
    names = [path.name for path in reports.iterdir()]
    assert names and not any("Васильева" in n or "Петров" in n for n in names)
    assert "Васильева" not in made.stderr


def test_a_name_column_is_used_only_when_declared(tmp_path: Path) -> None:
    # Columns that are not items pass through (issue 10): an undeclared name column is
    # ignored by `profile`, with a notice naming it, and never reaches the report.
    data = write_csv(tmp_path, [{"id": "p1", "fio": "Петров Иван"} | onet_answers(CLEAR)])
    out = tmp_path / "profiles.json"
    ignored = CliRunner().invoke(main, ["profile", "onet-ip-sf-60", str(data), "--out", str(out)])
    assert ignored.exit_code == 0 and "fio" in ignored.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["profiles"][0]["name"] is None
    accepted = CliRunner().invoke(
        main, ["profile", "onet-ip-sf-60", str(data), "--name-column", "fio", "--out", str(out)]
    )
    assert accepted.exit_code == 0, accepted.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["profiles"][0]["name"] == "Петров Иван"


def test_bad_session_files_and_dates_are_named(tmp_path: Path) -> None:
    data = write_csv(tmp_path, [{"id": "p1", "tested": "31.02.2025"} | onet_answers(CLEAR)])
    bad_date = CliRunner().invoke(
        main, ["profile", "onet-ip-sf-60", str(data), "--date-column", "tested"]
    )
    assert bad_date.exit_code == 1
    assert "'tested'" in bad_date.stderr and "31.02.2025" in bad_date.stderr
    assert "Traceback" not in bad_date.stderr
    session = tmp_path / "session.json"
    session.write_text(json.dumps({"date": "завтра", "room": 5}), encoding="utf-8")
    bad_file = CliRunner().invoke(
        main, ["profile", "onet-ip-sf-60", str(data), "--session", str(session)]
    )
    assert bad_file.exit_code == 1
    assert "$.date" in bad_file.stderr and "$.room" in bad_file.stderr
    missing = CliRunner().invoke(
        main, ["profile", "onet-ip-sf-60", str(data), "--name-column", "fio"]
    )
    assert missing.exit_code == 2 and "fio" in missing.stderr


# ---------- Next steps as region data ----------


def test_a_regions_next_steps_replace_the_bundled_ones(tmp_path: Path) -> None:
    document = {
        "format": "profdiag-next-steps/1",
        "id": "next-steps-test",
        "version": "1.0.0",
        "title": {"ru": "Шаги", "en": "Steps"},
        "region": "Тестовая область",
        "steps": [
            {
                "id": "only",
                "who": ["minor", "adult"],
                "text": {"ru": "Шаг региона.", "en": "A regional step."},
            },
            {
                "id": "adults",
                "who": ["adult"],
                "text": {"ru": "Для взрослых.", "en": "For adults."},
            },
        ],
    }
    path = tmp_path / "steps.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    steps = load_next_steps(path)
    minor = with_next_steps([onet_profile(ages=[15])], steps)[0]
    text = page(minor)
    assert "Шаг региона." in text and "Для взрослых." not in text
    assert step("ticket-to-the-future", "ru") not in text
    profiles_file = tmp_path / "profiles.json"
    from profdiag._profile.files import profiles_json

    profiles_file.write_text(profiles_json([onet_profile(ages=[45])]), encoding="utf-8")
    made = CliRunner().invoke(
        main,
        [
            "report",
            str(profiles_file),
            "--out",
            str(tmp_path / "out"),
            "--next-steps",
            str(path),
            "--audience",
            "client",
            "--workers",
            "1",
        ],
    )
    assert made.exit_code == 0, made.stderr
    pdf = next((tmp_path / "out").glob("*.pdf")).read_bytes()
    assert "Для взрослых." in pdf_text(pdf)


def test_next_steps_files_are_checked_with_json_paths(tmp_path: Path) -> None:
    document = {
        "format": "profdiag-next-steps/1",
        "id": "x",
        "version": "1.0.0",
        "title": {"ru": "Шаги"},
        "region": "Область",
        "steps": [
            {"id": "a", "who": ["child"], "text": {"ru": "А", "en": "A"}},
            {"id": "a", "who": ["adult"], "text": {"ru": "Б"}},
        ],
    }
    path = tmp_path / "steps.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        load_next_steps(path)
    assert type(caught.value) is DocumentError
    paths = {problem.path for problem in caught.value.problems}
    assert "$.steps[0].who[0]" in paths and "$.steps[1].text.en" in paths


def test_the_bundled_next_steps_name_the_regions_programmes() -> None:
    steps = load_next_steps()
    assert steps.region == "Тюменская область"
    text = " ".join(s.text.ru for s in steps.steps)
    for programme in ("Билет в будущее", "Профессионалитет", "Работа России", "центр занятости"):
        assert programme in text
    assert "http" not in text and not re.search(r"\d{3}[-\s]\d{2}[-\s]\d{2}", text)


# ---------- Numbers and typography ----------


def test_numbers_dates_and_plurals_per_language() -> None:
    assert format_number(3.3, "ru") == "3,3" and format_number(3.3, "en") == "3.3"
    assert format_number(-2.0, "ru") == "\u22122" and format_number(12500, "ru", 0) == "12\u00a0500"
    assert format_number(None, "ru") == "—"
    assert format_percent(0.583, "ru") == "58\u00a0%" and format_percent(0.583, "en") == "58%"
    assert format_date("2025-03-14", "ru") == "14.03.2025"
    assert format_date("2025-03-14", "en") == "14 March 2025"
    forms = TEXTS["ru"]["points_forms"]
    shown = [plural(n, forms, "ru") for n in (1, 2, 5, 11, 21, 1.5)]
    assert shown == [
        "1\u00a0балл",
        "2\u00a0балла",
        "5\u00a0баллов",
        "11\u00a0баллов",
        "21\u00a0балл",
        "1,5\u00a0балла",
    ]


def test_texts_are_typeset() -> None:
    ru = TEXTS["ru"]
    assert ru["ddo_types"]["nature"] == "Человек\u00a0— природа"  # one dash style for Klimov
    assert " - " not in json.dumps(ru, ensure_ascii=False)
    assert ru["confidential"].startswith("Конфиденциально: содержит персональные данные")
    assert "Для служебного пользования" not in json.dumps(ru, ensure_ascii=False)


WHITELIST = {
    "O*NET", "O*NET®", "RIASEC", "USDOL", "ETA", "CC", "BY", "ND", "IPIP", "Interest",
    "Profiler", "Career", "Exploration", "Tools", "profdiag",
}  # fmt: skip


def pdf_text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def typography_problems(text: str, profile: Profile) -> list[str]:
    """What a Russian report's text layer must not hold: spaced hyphens between words,
    decimal points, Latin words outside the names and ids that are Latin, «стр. из»."""
    problems = []
    text = re.sub(r"CC BY(-ND)?\s+4\.0", " ", text)  # a licence's name
    text = re.sub(r"\b\d{2}\.\d{2}\.\d{4}\b", " ", text)  # dates
    ids = [profile.respondent, profile.profdiag_version]
    for section in profile.instruments:  # hashes, ids and versions: the technical appendix
        for token in (section.content_hash, section.overlay_hash or ""):
            if token:
                text = re.sub(r"\s*".join(map(re.escape, token)), " ", text)
        ids += [section.instrument_id, section.instrument_version]
    if profile.catalogue is not None:
        ids += [profile.catalogue.id, profile.catalogue.version]
    for token in ids:
        text = re.sub(rf"(?<![\w.-]){re.escape(token)}(?![\w-]|\.\d)", " ", text)
    problems += [f"spaced hyphen: {m!r}" for m in re.findall(r"\w+ - \w+", text)]
    problems += [f"decimal point: {m!r}" for m in re.findall(r"\d+\.\d+", text)]
    problems += ["стр. из"] * bool(re.search(r"стр\.\s*из", text))
    latin = set(re.findall(r"[A-Za-z][A-Za-z*®]+", text))
    problems += [
        f"Latin word: {word!r}"
        for word in sorted(latin - WHITELIST)
        if not set(word) <= set("RIASEC")  # codes such as SAE
    ]
    return problems


def typography_cases() -> list[tuple[str, Profile]]:
    demo = demo_profiles()
    return [
        ("demo01", demo[0]),
        ("adult", demo[6]),
        ("flat", demo[7]),
        ("aptitude", aptitude_profile(ages=[16], sessions=SESSION)),
        ("ipip", ipip_profile(ages=[30])),
        ("onet", onet_profile(ages=[45])),
    ]


@pytest.mark.parametrize("audience", ["client", "counsellor"])
def test_russian_typography_in_the_pdf_text_layer(audience: str) -> None:
    found = {}
    for name, profile in typography_cases():
        pdf = render_pdf(profile, ReportOptions(audience=audience, language="ru"))  # type: ignore[arg-type]
        problems = typography_problems(pdf_text(pdf), profile)
        if problems:
            found[name] = problems
    assert not found


def test_the_typography_check_can_fail() -> None:
    profile = onet_profile()
    assert typography_problems("баллы - это 3.3 из Tyumen region; стр. из", profile) == [
        "spaced hyphen: 'баллы - это'",
        "decimal point: '3.3'",
        "стр. из",
        "Latin word: 'Tyumen'",
        "Latin word: 'region'",
    ]
