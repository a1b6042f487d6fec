"""/chat/widget.js as a store's page gets it: small, gzipped, cacheable, one closure."""

import gzip
from typing import Any

from kefu.channels.chat.widget_assets import PARTS, STATIC_DIR, widget_source

MAX_GZIP_BYTES = 30 * 1024


def test_the_widget_is_served_gzipped_under_30_kb(client: Any) -> None:
    # when a browser that takes gzip asks for the widget
    response = client.get("/chat/widget.js", headers={"Accept-Encoding": "gzip"})
    # then what crosses the wire is gzip, under 30 KB, and unpacks to the whole widget
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["content-encoding"] == "gzip"
    assert response.num_bytes_downloaded < MAX_GZIP_BYTES
    assert response.content == widget_source()
    assert len(gzip.compress(widget_source(), compresslevel=6)) < MAX_GZIP_BYTES


def test_the_widget_holds_every_part_and_its_styles_in_one_closure(client: Any) -> None:
    # when a browser without gzip asks for it
    response = client.get("/chat/widget.js", headers={"Accept-Encoding": "identity"})
    # then it is the plain text: one function around the styles and every part, in order
    text = response.text
    assert "content-encoding" not in response.headers
    assert text.rstrip().endswith("})();")
    starts = [text.index((STATIC_DIR / name).read_text(encoding="utf-8")) for name in PARTS]
    assert starts == sorted(starts)
    assert '"use strict"' in text
    assert "--kefu-colour" in text


def test_a_returning_shopper_revalidates_with_the_etag(client: Any) -> None:
    # given the widget once downloaded
    first = client.get("/chat/widget.js")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=300"
    # when the browser asks again with its ETag, then nothing is sent again
    again = client.get("/chat/widget.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    # and another ETag gets the widget
    assert client.get("/chat/widget.js", headers={"If-None-Match": '"old"'}).status_code == 200
