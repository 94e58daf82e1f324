"""The citizen pages render in both languages, keep the code out of URLs and say what to fix."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from samleng.web.adapters.api import ApiProblem
from samleng.web.app import create_app
from services.web.tests.fakes import CODE, CONFIRMATION_CODE, FakeIntake, FakeNotification

pytestmark = pytest.mark.unit

FORM = {
    "idempotency_key": "0b6f7f0e-3f7e-4c55-9a55-8e1f2a0e7c11",
    "kind": "complaint",
    "category": "extra_fee",
    "province": "17",
    "district": "1702",
    "commune": "170201",
    "description": "គេទារលុយលើស",
}


@pytest.fixture
def intake() -> FakeIntake:
    return FakeIntake()


@pytest.fixture
def notification() -> FakeNotification:
    return FakeNotification()


@pytest.fixture
def client(intake: FakeIntake, notification: FakeNotification) -> Iterator[TestClient]:
    app = create_app(environment="test", intake=intake, notification=notification)
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize("lang", ["km", "en"])
@pytest.mark.parametrize("path", ["/", "/track", "/confirm", "/officer"])
def test_pages_render_in_both_languages_with_strict_headers(
    client: TestClient, path: str, lang: str
) -> None:
    answer = client.get(path, params={"lang": lang})
    assert answer.status_code == 200
    assert f'<html lang="{lang}">' in answer.text
    assert answer.headers["content-security-policy"].startswith("default-src 'self'")
    assert answer.headers["cache-control"] == "no-store"
    assert "set-cookie" not in answer.headers


def test_a_submission_goes_to_intake_and_the_receipt_shows_the_code(
    client: TestClient, intake: FakeIntake
) -> None:
    answer = client.post(
        "/submit", data=FORM, files=[("photos", ("a.jpg", b"\xff\xd8", "image/jpeg"))]
    )
    assert answer.status_code == 200
    body, key, lang = intake.submitted[0]
    assert key == FORM["idempotency_key"] and lang == "km"
    assert body["commune_code"] == "170201" and body["channel"] == "web"
    assert "7K3M" in answer.text and "W4NE" in answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert len(intake.attached) == 1
    assert "set-cookie" not in answer.headers


def test_missing_fields_are_marked_next_to_them(client: TestClient, intake: FakeIntake) -> None:
    answer = client.post("/submit?lang=en", data={"idempotency_key": FORM["idempotency_key"]})
    assert answer.status_code == 422
    assert 'id="kind-error"' in answer.text and 'id="description-error"' in answer.text
    assert "Not sent yet" in answer.text
    assert not intake.submitted


def test_intake_problems_land_next_to_their_field(client: TestClient, intake: FakeIntake) -> None:
    intake.problem = ApiProblem(
        422,
        "invalid-submission",
        "ភូមិ 17020201 មិនស្ថិតក្នុងឃុំ 170201 ទេ",
        [{"field": "village_code", "message": "village 17020201 is not in commune 170201"}],
    )
    answer = client.post("/submit", data=FORM)
    assert answer.status_code == 422
    assert 'id="village-error"' in answer.text
    assert "មិនស្ថិតក្នុងឃុំ" in answer.text


def test_a_form_posted_by_another_site_is_refused(client: TestClient, intake: FakeIntake) -> None:
    answer = client.post("/submit", data=FORM, headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert not intake.submitted


def test_track_posts_the_code_and_offers_the_views_actions(
    client: TestClient, intake: FakeIntake
) -> None:
    answer = client.post("/track?lang=en", data={"code": CODE.lower().replace("-", " ")})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    for action in ("answer", "add_information", "attach", "withdraw"):
        assert f'action="/track/{action}?lang=en"' in answer.text
    assert "/track/confirm" not in answer.text


def test_an_answer_reaches_intake_and_a_refusal_is_shown(
    client: TestClient, intake: FakeIntake
) -> None:
    answer = client.post("/track/answer", data={"code": CODE, "question_id": "q1", "text": "ថ្ងៃទី៣"})
    assert answer.status_code == 200
    assert intake.acted == [
        ("7K3MQ9TX2HBDW4NER", "answers", {"question_id": "q1", "text": "ថ្ងៃទី៣"})
    ]
    intake.problem = ApiProblem(409, "case-not-open", "ករណីមិនបើកទេ")
    refused = client.post("/track/withdraw", data={"code": CODE})
    assert refused.status_code == 409


def test_a_confirmation_code_is_posted_to_notification_and_never_in_a_url(
    client: TestClient, notification: FakeNotification, caplog: pytest.LogCaptureFixture
) -> None:
    form = client.get("/confirm")
    assert 'action="/confirm"' in form.text and 'name="code"' in form.text
    typed = CONFIRMATION_CODE.lower().replace("-", " ")
    answer = client.post("/confirm", data={"code": typed})
    assert answer.status_code == 200
    assert notification.confirmed == [(typed, "km")]
    assert "បានបញ្ជាក់" in answer.text and 'name="code"' not in answer.text
    assert not answer.history and answer.url.path == "/confirm" and not answer.url.query
    assert "set-cookie" not in answer.headers
    assert answer.headers["cache-control"] == "no-store"
    assert CONFIRMATION_CODE not in caplog.text and typed not in caplog.text


@pytest.mark.parametrize(
    ("typed", "status", "km", "en"),
    [
        ("ZZZZZ-ZZZZZ", 404, "មិនមែនជាលេខកូដដែលយើងបានផ្ញើ", "not one we sent"),
        ("K7M2Q", 422, "លេខកូដមាន ១០ អក្សរ", "10 letters and digits"),
        ("", 400, "លេខកូដមាន ១០ អក្សរ", "10 letters and digits"),
    ],
)
def test_a_wrong_confirmation_code_is_explained_next_to_the_field(
    client: TestClient, notification: FakeNotification, typed: str, status: int, km: str, en: str
) -> None:
    answer = client.post("/confirm", data={"code": typed})
    assert answer.status_code == status
    assert 'id="code-error"' in answer.text and 'aria-invalid="true"' in answer.text
    assert km in answer.text
    english = client.post("/confirm?lang=en", data={"code": typed})
    assert en in english.text and 'action="/confirm?lang=en"' in english.text
    assert not notification.confirmed


def test_a_confirmation_posted_by_another_site_is_refused(
    client: TestClient, notification: FakeNotification
) -> None:
    answer = client.post(
        "/confirm", data={"code": CONFIRMATION_CODE}, headers={"Origin": "https://evil.example"}
    )
    assert answer.status_code == 403
    assert not notification.confirmed


def test_leave_clears_the_sites_data(client: TestClient) -> None:
    answer = client.get("/leave")
    assert answer.headers["clear-site-data"] == '"cache", "storage"'


def test_static_assets_are_cached_for_a_year_and_the_worker_revalidated(client: TestClient) -> None:
    page = client.get("/").text
    css = page.split('href="/static/app.css?v=')[1].split('"')[0]
    answer = client.get(f"/static/app.css?v={css}")
    assert "immutable" in answer.headers["cache-control"]
    worker = client.get("/sw.js")
    assert worker.headers["cache-control"] == "no-cache"
    assert (
        "__ASSETS__" not in worker.text
        and "/static/fonts/noto-sans-khmer-regular.woff2" in worker.text
    )
    assert client.get("/static/../settings.py").status_code == 404


@pytest.mark.parametrize(
    ("path", "status"),
    [("/nowhere?lang=en", 404), ("/officer/audit?after_seq=-1&lang=en", 400)],
)
def test_errors_are_pages_in_the_readers_language(
    client: TestClient, path: str, status: int
) -> None:
    answer = client.get(path)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in answer.text


def test_the_language_switch_of_a_form_page_stays_on_a_page_that_exists(client: TestClient) -> None:
    assert client.get("/submit?lang=en").status_code == 200
    assert client.get("/track/answer").status_code == 200
