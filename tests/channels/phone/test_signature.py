"""X-Twilio-Signature against the provider's documented example, and what must not pass."""

import pytest

from kefu.channels.phone.numbers import display, maybe_e164, to_e164
from kefu.channels.phone.signature import is_valid, sign, url_variants
from kefu.errors import InvalidInput

# The example in Twilio's security documentation: auth token 12345, this URL and these fields.
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+14158675310"),
    ("Digits", "1234"),
    ("From", "+14158675310"),
    ("To", "+18005551212"),
]
DOC_SIGNATURE = "GvWf1cFY/Q7PnoempGyD5oXAezc="


def test_signature_matches_the_documented_example() -> None:
    assert sign("12345", DOC_URL, DOC_PARAMS) == DOC_SIGNATURE
    assert sign("12345", DOC_URL, list(reversed(DOC_PARAMS))) == DOC_SIGNATURE


def test_signature_is_accepted_with_or_without_the_default_port() -> None:
    with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
    assert url_variants(with_port)[1:] == [DOC_URL]
    assert is_valid("12345", DOC_SIGNATURE, [with_port], DOC_PARAMS)


@pytest.mark.parametrize(
    ("token", "signature", "url", "params"),
    [
        ("12346", DOC_SIGNATURE, DOC_URL, DOC_PARAMS),
        ("12345", None, DOC_URL, DOC_PARAMS),
        ("12345", "", DOC_URL, DOC_PARAMS),
        ("", DOC_SIGNATURE, DOC_URL, DOC_PARAMS),
        ("12345", DOC_SIGNATURE, "https://mycompany.com/myapp.php?foo=1&bar=3", DOC_PARAMS),
        ("12345", DOC_SIGNATURE, DOC_URL, [*DOC_PARAMS[:-1], ("To", "+18005551213")]),
        ("12345", DOC_SIGNATURE, DOC_URL, [*DOC_PARAMS, ("Extra", "")]),
        ("12345", DOC_SIGNATURE + "x", DOC_URL, DOC_PARAMS),
        ("12345", "ünïcode", DOC_URL, DOC_PARAMS),
    ],
    ids=[
        "wrong-token",
        "no-signature",
        "empty-signature",
        "no-token-on-the-line",
        "other-url",
        "changed-field",
        "added-field",
        "trailing-junk",
        "non-ascii",
    ],
)
def test_anything_else_is_refused(
    token: str, signature: str | None, url: str, params: list[tuple[str, str]]
) -> None:
    assert not is_valid(token, signature, [url], params)


def test_numbers_are_kept_in_e164() -> None:
    assert to_e164("+1 (415) 555-0100") == "+14155550100"
    assert to_e164("0044 20 7946 0018") == "+442079460018"
    assert to_e164("020 7946 0018", region="GB") == "+442079460018"
    assert display("+442079460018") == "+44 20 7946 0018"
    assert [maybe_e164(v) for v in ("anonymous", "client:li@example.com", "+266696687")] == [
        None,
        None,
        None,
    ]
    with pytest.raises(InvalidInput, match="country code"):
        to_e164("020 7946 0018")
