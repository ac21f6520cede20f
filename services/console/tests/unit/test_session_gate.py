from console.gate import _cookies, _cross_site, _reloaded, _sign_in_path
from console.pages.home import _next
from console.render import reloads_itself
from fastapi import Request
from fastapi.responses import HTMLResponse


def test_a_form_from_another_site_is_told_apart_from_the_consoles_own() -> None:
    assert not _cross_site({"host": "console.example", "origin": "https://console.example"})
    assert not _cross_site({"host": "console.example", "sec-fetch-site": "same-origin"})
    assert not _cross_site({"host": "console.example"})  # no word either way: the CSRF token decides
    assert _cross_site({"host": "console.example", "origin": "https://evil.example"})
    assert _cross_site({"host": "console.example", "origin": "null"})
    assert _cross_site({"host": "console.example", "sec-fetch-site": "same-site"})


def test_after_signing_in_a_person_goes_back_only_to_a_page_of_the_console() -> None:
    assert _next("/denials?sort=deadline") == "/denials?sort=deadline"
    for elsewhere in ("//evil.example/x", "https://evil.example", "evil", None, ""):
        assert _next(elsewhere) == "/"


def test_the_sign_in_page_remembers_a_get_and_not_a_post() -> None:
    get = {"method": "GET", "path": "/claims/1", "query_string": b"a=1", "state": {"ended": "idle"}}
    assert _sign_in_path(get) == "/sign-in?next=%2Fclaims%2F1%3Fa%3D1&ended=idle"
    assert _sign_in_path({"method": "POST", "path": "/denials/bulk", "query_string": b""}) == "/sign-in?next=%2F"


def test_cookies_are_read_from_the_header() -> None:
    scope = {"headers": [(b"cookie", b"a=1; claimstream_console=xyz==; b=")]}
    assert _cookies(scope) == {"a": "1", "claimstream_console": "xyz==", "b": ""}


def test_a_long_operations_page_reloads_itself_marked_as_not_the_persons_visit() -> None:
    request = Request({"type": "http", "method": "GET", "path": "/denials/bulk/1", "query_string": b"", "headers": []})
    answer = reloads_itself(HTMLResponse("progress"), request)
    assert answer.headers["refresh"] == "3; url=/denials/bulk/1?reloaded=1"
    assert _reloaded({"query_string": b"reloaded=1"}) and not _reloaded({"query_string": b"refresh=off"})
