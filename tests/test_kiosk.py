"""The kiosk app over HTTP (Starlette's test client): the security model, the PIN and its
lockout, resuming from the store, the log, and the kiosk commands."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

pytest.importorskip("starlette")
with warnings.catch_warnings():  # starlette 1.x prefers httpx2 to httpx; both work
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import profdiag
from profdiag._kiosk import require_web_packages
from profdiag._kiosk.app import KioskConfig, create_app, session_id_of
from profdiag._kiosk.pin import Lockout, check_pin, hash_pin, write_pin_file
from profdiag._kiosk.server import build_battery
from profdiag.cli._main import main
from profdiag.errors import ArgumentError

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with")
RIASEC = "profdiag-riasec-72"
NAME = "Светозара-Тестовая"


def make_client(data: Path, clock: Any = None, instrument: str = RIASEC) -> TestClient:
    battery = build_battery([instrument], {}, allow_back=False, allow_skip=False)
    config = KioskConfig(battery, data, data / "kiosk-pin", hosts=frozenset({"127.0.0.1"}))
    if clock is not None:
        config.clock = clock
    return TestClient(create_app(config), base_url="http://127.0.0.1")


def csrf_of(client: TestClient, path: str = "/") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def start(client: TestClient, **fields: str) -> None:
    response = client.post(
        "/start", data={"csrf": csrf_of(client), **fields}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def answer(client: TestClient, value: str) -> str:
    page = client.get("/item").text
    item = re.search(r'name="item" value="([^"]+)"', page)
    seq = re.search(r'name="seq" value="([^"]+)"', page)
    assert item and seq
    form = {"csrf": csrf_of(client, "/item"), "instrument": RIASEC, "item": item.group(1)}
    response = client.post(
        "/act", data={**form, "seq": seq.group(1), "value": value}, follow_redirects=False
    )
    assert response.headers["location"] == "/item"
    return item.group(1)


def test_headers_cookies_and_the_session_id_is_a_hash_of_the_token(tmp_path: Path) -> None:
    client = make_client(tmp_path)
    for path in ("/", "/static/kiosk.css", "/fonts/LiberationSans-Regular.ttf", "/nowhere"):
        headers = client.get(path).headers
        assert headers["content-security-policy"] == (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; form-action 'self'"
        )
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in client.get("/").text  # no inline scripts
    response = client.post(
        "/start", data={"csrf": csrf_of(client), "age": "15"}, follow_redirects=False
    )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = client.cookies["kiosk_session"]
    assert len(token) >= 43
    with profdiag.SessionStore(tmp_path / "sessions.db") as store:
        assert store.session_ids() == [session_id_of(token)]
        assert token not in store.session_ids()[0]


def test_posts_without_the_token_or_from_another_origin_are_refused(tmp_path: Path) -> None:
    client = make_client(tmp_path)
    token = csrf_of(client)
    assert client.post("/start", data={"age": "15"}).status_code == 403
    assert client.post("/start", data={"csrf": "x" * 43}).status_code == 403
    evil = {"origin": "http://evil.example"}
    assert client.post("/start", data={"csrf": token}, headers=evil).status_code == 403
    # browsers send Origin: null on same-origin POSTs under Referrer-Policy no-referrer
    ok = client.post("/start", data={"csrf": token}, headers={"origin": "null"})
    assert ok.status_code == 200 and "data-item" in ok.text
    assert client.get("/", headers={"host": "rebound.example"}).status_code == 400
    with profdiag.SessionStore(tmp_path / "sessions.db") as store:
        assert len(store.session_ids()) == 1


def test_a_new_server_resumes_the_session_at_the_first_unanswered_item(tmp_path: Path) -> None:
    first = make_client(tmp_path)
    start(first, age="15", given_name=NAME)
    assert [answer(first, v) for v in ("4", "0", "2")] == ["r01", "r02", "r03"]
    second = make_client(tmp_path)  # a restarted server: nothing in memory
    second.cookies.update(first.cookies)
    assert 'data-item="r04"' in second.get("/item").text
    with profdiag.SessionStore(tmp_path / "sessions.db") as store:
        (sid,) = store.session_ids()
        assert [(a.item, a.value) for a in store.answers(sid)] == [
            ("r01", 4),
            ("r02", 0),
            ("r03", 2),
        ]
    assert second.get("/", follow_redirects=False).headers["location"] == "/item"


def test_start_refuses_bad_fields_and_keeps_no_session(tmp_path: Path) -> None:
    client = make_client(tmp_path)
    response = client.post("/start", data={"csrf": csrf_of(client), "age": "200"})
    assert response.status_code == 400 and "Возраст" in response.text
    response = client.post("/start", data={"csrf": csrf_of(client), "sex": "x"})
    assert response.status_code == 400
    with profdiag.SessionStore(tmp_path / "sessions.db") as store:
        assert store.session_ids() == []


def test_the_log_has_paths_and_codes_only(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    client = make_client(tmp_path)
    with caplog.at_level(logging.INFO, logger="profdiag.kiosk"):
        start(client, respondent_id="resp-0042", given_name=NAME, age="15")
        answer(client, "3")
        client.get("/item?m=refused")
    text = caplog.text
    assert "POST /start 303" in text and "POST /act 303" in text and "GET /item 200" in text
    assert NAME not in text and "resp-0042" not in text and "?" not in text
    assert client.cookies["kiosk_session"] not in text


def test_pin_hash_and_the_growing_lockout() -> None:
    stored = hash_pin("2468")
    assert stored.startswith("scrypt$") and "2468" not in stored
    assert check_pin("2468", stored) and not check_pin("2469", stored)
    assert hash_pin("2468") != stored  # salted
    with pytest.raises(ArgumentError, match="at least 4"):
        hash_pin("12")
    now = [0.0]
    lockout = Lockout(clock=lambda: now[0])
    for _ in range(4):
        lockout.failed("a")
    assert lockout.wait("a") == 0
    lockout.failed("a")  # the fifth
    assert lockout.wait("a") == 2.0 and lockout.wait("b") == 0
    now[0] = 2.0
    lockout.failed("a")
    assert lockout.wait("a") == 4.0
    for k in range(14):  # failures from many clients lock everyone out
        lockout.failed(f"c{k}")
    assert lockout.wait("fresh") > 0


def test_counsellor_login_lockout_and_reports_need_the_pin(tmp_path: Path) -> None:
    client = make_client(tmp_path)
    assert "profdiag kiosk pin" in client.get("/counsellor").text  # no PIN set: no way in
    write_pin_file(tmp_path / "kiosk-pin", "135790")
    report = client.get("/counsellor/report/abc/client.pdf", follow_redirects=False)
    assert report.headers["location"] == "/counsellor"
    for _ in range(5):
        wrong = client.post("/counsellor/login", data={"csrf": csrf_of(client), "pin": "000000"})
        assert wrong.status_code == 403
    locked = client.post("/counsellor/login", data={"csrf": csrf_of(client), "pin": "135790"})
    assert locked.status_code == 429 and "table" not in locked.text


def test_counsellor_sees_finished_sessions(tmp_path: Path) -> None:
    write_pin_file(tmp_path / "kiosk-pin", "135790")
    client = make_client(tmp_path)
    start(client, respondent_id="r-9", age="15")
    for _ in range(72):
        answer(client, "2")
    assert 'data-role="done"' in client.get("/item").text
    response = client.post("/counsellor/login", data={"csrf": csrf_of(client), "pin": "135790"})
    assert response.status_code == 200 and "r-9" in response.text


def test_a_late_answer_is_refused_and_the_next_part_waits(tmp_path: Path) -> None:
    now = [0.0]
    client = make_client(tmp_path, lambda: now[0], "profdiag-aptitude-sampler")
    start(client, age="15")
    page = client.get("/item").text
    assert 'data-action="begin"' in page and "6 мин" in page  # instructions, clock not started
    client.post("/begin", data={"csrf": csrf_of(client)})
    page = client.get("/item").text
    assert 'id="countdown" data-seconds="360.0"' in page
    now[0] = 360.5  # half a second late
    form = {"csrf": csrf_of(client, "/item"), "instrument": "profdiag-aptitude-sampler"}
    late = client.post(
        "/act", data={**form, "item": "ns01", "seq": "1", "value": "c"}, follow_redirects=False
    )
    assert late.headers["location"] == "/item?m=time_up"
    page = client.get("/item?m=time_up").text
    assert "Время на эту часть закончилось" in page and 'data-action="begin"' in page
    with profdiag.SessionStore(tmp_path / "sessions.db") as store:
        (sid,) = store.session_ids()
        assert store.answers(sid) == []
        assert [e.scale for e in store.events(sid) if e.kind == "timeout"] == ["number_series"]


def test_session_expire_and_pending_subtest() -> None:
    battery = profdiag.Battery([profdiag.load_instrument("profdiag-aptitude-sampler")])
    now = [0.0]
    session = profdiag.Session.start(battery, profdiag.Respondent("x"), clock=lambda: now[0])
    assert session.pending_subtest == ("profdiag-aptitude-sampler", "number_series", 360.0)
    item = session.serve()
    assert item is not None and session.pending_subtest is None
    now[0] = 360.5
    session.expire()  # the time ran out: the next part waits for its instructions
    assert session.pending_subtest == ("profdiag-aptitude-sampler", "verbal_analogies", 360.0)
    assert session.current == ("profdiag-aptitude-sampler", "va01")


def test_cli_pin_export_and_refusing_an_open_address_without_a_pin(tmp_path: Path) -> None:
    runner = CliRunner()
    refused = runner.invoke(
        main, ["kiosk", "--battery", RIASEC, "--data", str(tmp_path), "--host", "0.0.0.0"]
    )
    assert refused.exit_code == 1 and "PIN file" in refused.output
    made = runner.invoke(main, ["kiosk", "pin", "--data", str(tmp_path)], input="5555\n5555\n")
    assert made.exit_code == 0, made.output
    assert check_pin("5555", (tmp_path / "kiosk-pin").read_text().strip())
    client = make_client(tmp_path)
    start(client, respondent_id="e-1", age="15", sex="f", given_name=NAME)
    for _ in range(72):
        answer(client, "4")
    client.get("/item")  # finishes
    out = tmp_path / "answers.csv"
    exported = runner.invoke(
        main, ["kiosk", "export", "--battery", RIASEC, "--data", str(tmp_path), "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    path = tmp_path / f"answers.{RIASEC}.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [row["id"] for row in rows] == ["e-1"] and rows[0]["r01"] == "4"
    assert rows[0]["r01.ms"] != "" and NAME not in path.read_text(encoding="utf-8")
    scored = runner.invoke(main, ["score", RIASEC, str(path)])
    assert scored.exit_code == 0, scored.output
    assert "e-1" in scored.stdout


def test_a_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ArgumentError, match=r"profdiag\[kiosk\]"):
        require_web_packages()


def _write_text_bank(path: Path) -> None:
    """Ten 2PL items with texts (b from -2 to 2.5): a bank the kiosk can show."""
    items = [
        {
            "id": f"q{k}",
            "format": "yn",
            "text": {"ru": f"Вопрос {k}", "en": f"Question {k}"},
            "irt": {"model": "2pl", "a": 1.8, "b": -2.0 + 0.5 * k},
        }
        for k in range(10)
    ]
    path.write_text(
        json.dumps(
            {
                "format": "profdiag-instrument/1", "id": "bank", "version": "1.0",
                "title": {"en": "Bank"}, "description": {"en": "A test bank."},
                "authors": ["us"], "licence": {"name": "CC0-1.0"}, "source": {"citation": "us"},
                "text_status": {"ru": "original", "en": "original"},
                "response_formats": {"yn": {"type": "binary"}},
                "items": items,
                "scales": [{"id": "total", "title": {"en": "Total"},
                            "items": [{"item": item["id"]} for item in items]}],
            }
        ),
        encoding="utf-8",
    )  # fmt: skip


def test_the_kiosk_gives_an_item_bank_adaptively(tmp_path: Path) -> None:
    bank = tmp_path / "bank.json"
    _write_text_bank(bank)
    battery = build_battery(
        [str(bank)], {}, adaptive={"bank": (0.1, 4, None)}, allow_back=False, allow_skip=False
    )
    config = KioskConfig(battery, tmp_path, tmp_path / "kiosk-pin", hosts=frozenset({"127.0.0.1"}))
    client = TestClient(create_app(config), base_url="http://127.0.0.1")
    start(client, age="15")
    given = []
    for _ in range(4):  # max 4 items: the SE target 0.1 is out of reach
        page = client.get("/item").text
        item = re.search(r'name="item" value="([^"]+)"', page)
        seq = re.search(r'name="seq" value="([^"]+)"', page)
        assert item and seq
        form = {"csrf": csrf_of(client, "/item"), "instrument": "bank", "item": item.group(1)}
        client.post(
            "/act", data={**form, "seq": seq.group(1), "value": "1"}, follow_redirects=False
        )
        given.append(item.group(1))
    # the first item is the most informative at theta 0 (b = 0: q4); after right answers
    # the bank's harder items follow
    assert given[0] == "q4" and all(int(k[1:]) > 4 for k in given[1:])
    assert 'data-role="done"' in client.get("/item", follow_redirects=True).text
    with profdiag.SessionStore(tmp_path / "sessions.db") as store:
        (session_id,) = store.session_ids()
        session = store.resume(session_id, battery)
        assert session.finished or session.complete
    with pytest.raises(ArgumentError, match="adaptive for nothing"):
        build_battery([RIASEC], {}, adaptive={"nothing": (0.3, 5, None)}, allow_back=False,
                      allow_skip=False)  # fmt: skip


def test_kiosk_adaptive_option_is_checked() -> None:
    result = CliRunner().invoke(
        main, ["kiosk", "--battery", RIASEC, "--adaptive", "x", "--data", "."]
    )
    assert result.exit_code == 2 and "ID=SE[:MAX_ITEMS[:SECONDS]]" in result.output
