"""Attachments over the API: upload, send with a message, download with safe headers."""

import hashlib
from typing import Any

from kefu.config import Settings
from kefu.db import Database
from kefu.runtime import Runtime
from tests.api.helpers import problem
from tests.tickets.factories import receive

Headers = dict[str, str]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def upload(client: Any, headers: Headers, name: str, data: bytes, kind: str) -> Any:
    return client.post("/api/v1/attachments", headers=headers, files={"file": (name, data, kind)})


def test_upload_send_and_download(
    client: Any, agent: Headers, database: Database, runtime: Runtime
) -> None:
    # given
    ticket_id = receive(database).ticket_id
    # when
    uploaded = upload(client, agent, "Rechnung für März.pdf", b"%PDF-1.7 ...", "application/pdf")
    token = uploaded.json()
    sent = client.post(
        f"/api/v1/tickets/{ticket_id}/messages",
        headers=agent,
        json={"body_text": "Your invoice", "attachments": [token]},
    )
    # then
    assert uploaded.status_code == 201
    assert token == {
        "filename": "Rechnung für März.pdf",
        "content_type": "application/pdf",
        "sha256": hashlib.sha256(b"%PDF-1.7 ...").hexdigest(),
        "size": 12,
        "content_id": None,
        "is_inline": False,
    }
    assert runtime.files.read(token["sha256"]) == b"%PDF-1.7 ..."
    [attachment] = sent.json()["attachments"]
    download = client.get(f"/api/v1/attachments/{attachment['id']}", headers=agent)
    assert download.status_code == 200 and download.content == b"%PDF-1.7 ..."
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == (
        'attachment; filename="Rechnung f_r M_rz.pdf"; '
        "filename*=UTF-8''Rechnung%20f%C3%BCr%20M%C3%A4rz.pdf"
    )
    assert download.headers["x-content-type-options"] == "nosniff"


def test_images_show_inline_and_odd_types_download(
    client: Any, agent: Headers, database: Database
) -> None:
    # given
    ticket_id = receive(database).ticket_id
    png = upload(client, agent, "photo.png", PNG, "image/png").json()
    html = upload(client, agent, "../../page.html", b"<script>x</script>", "text/html").json()
    odd = upload(client, agent, "a.bin", b"\x01", "not a type").json()
    # when
    sent = client.post(
        f"/api/v1/tickets/{ticket_id}/messages",
        headers=agent,
        json={"kind": "note", "body_text": "files", "attachments": [png, html, odd]},
    ).json()
    got = [client.get(f"/api/v1/attachments/{a['id']}", headers=agent) for a in sent["attachments"]]
    # then
    assert got[0].headers["content-disposition"].startswith('inline; filename="photo.png"')
    assert html["filename"] == "page.html"
    assert got[1].headers["content-disposition"].startswith("attachment;")
    assert odd["content_type"] == "application/octet-stream"
    assert got[2].headers["content-type"] == "application/octet-stream"


def test_upload_over_the_limit_is_413_and_stores_nothing(
    client: Any, agent: Headers, settings: Settings, runtime: Runtime
) -> None:
    # given
    data = b"x" * (settings.max_attachment_bytes + 1)
    # when
    refused = upload(client, agent, "big.bin", data, "application/octet-stream")
    # then
    assert str(settings.max_attachment_bytes) in problem(refused, 413, "too_large")["detail"]
    assert not runtime.files.exists(hashlib.sha256(data).hexdigest())


def test_body_over_the_server_limit_is_413(client: Any, agent: Headers) -> None:
    limit = client.app.state.max_body_bytes
    refused = upload(client, agent, "huge.bin", b"x" * (limit + 1), "application/octet-stream")
    assert str(limit) in problem(refused, 413, "too_large")["detail"]


def test_upload_refusals(client: Any, agent: Headers) -> None:
    problem(client.post("/api/v1/attachments", headers=agent), 422, "invalid_input")
    problem(
        client.post("/api/v1/attachments", headers=agent, json={"file": "x"}), 422, "invalid_input"
    )
    problem(upload(client, {}, "a.txt", b"a", "text/plain"), 401, "not_authenticated")


def test_a_message_may_only_name_uploaded_files(
    client: Any, agent: Headers, database: Database
) -> None:
    # given
    ticket_id = receive(database).ticket_id
    url = f"/api/v1/tickets/{ticket_id}/messages"
    real = upload(client, agent, "a.txt", b"abc", "text/plain").json()
    never = {**real, "sha256": "0" * 64}
    wrong_size = {**real, "size": 4}
    # when / then
    for attachment in (never, wrong_size):
        body = {"body_text": "see file", "attachments": [attachment]}
        assert (
            "not uploaded"
            in problem(client.post(url, headers=agent, json=body), 422, "invalid_input")["detail"]
        )
    bad_hash = {"body_text": "x", "attachments": [{**real, "sha256": "../etc/passwd"}]}
    problem(client.post(url, headers=agent, json=bad_hash), 422, "invalid_input")
    messages = client.get(url, headers=agent).json()["items"]
    assert len(messages) == 1


def test_download_refusals(client: Any, agent: Headers, admin: Headers, database: Database) -> None:
    # given: a file on a ticket that is then deleted
    ticket_id = receive(database).ticket_id
    token = upload(client, agent, "a.txt", b"abc", "text/plain").json()
    sent = client.post(
        f"/api/v1/tickets/{ticket_id}/messages",
        headers=agent,
        json={"body_text": "file", "attachments": [token]},
    ).json()
    url = f"/api/v1/attachments/{sent['attachments'][0]['id']}"
    client.delete(f"/api/v1/tickets/{ticket_id}", headers=admin)
    # then
    problem(client.get(url, headers=agent), 404, "not_found")
    assert client.get(url, headers=admin).status_code == 200
    problem(client.get("/api/v1/attachments/999", headers=agent), 404, "not_found")
    problem(
        client.get("/api/v1/attachments/99999999999999999999", headers=agent), 422, "invalid_input"
    )
    problem(client.get(url), 401, "not_authenticated")
