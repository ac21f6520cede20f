from datetime import UTC, datetime, timedelta

from console.session import COOKIE, Cookies, Sealer, Session, key_of, new_id, new_key

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def a_session(expires_in: timedelta = timedelta(hours=1)) -> Session:
    return Session.begin("a.b.c", operator=False, expires_at=NOW + expires_in, now=NOW)


def test_a_sealed_token_opens_as_it_was_and_only_with_its_key() -> None:
    sealer = Sealer(new_key())
    sealed = sealer.seal("a.b.c")
    assert sealer.open(sealed) == "a.b.c"
    assert "a.b.c" not in sealed  # a reader of the table cannot use it
    assert Sealer(new_key()).open(sealed) is None
    assert sealer.open(sealed[:-4] + "AAAA") is None
    assert sealer.open("") is None


def test_an_id_is_random_and_kept_only_as_its_hash() -> None:
    first, second = new_id(), new_id()
    assert first != second and len(first) == 43  # 32 random bytes
    assert key_of(first) == key_of(first) != key_of(second)
    assert first not in key_of(first) and len(key_of(first)) == 64


def test_idle_expired_and_due_for_renewal() -> None:
    session = a_session()
    assert not session.idle(NOW + timedelta(minutes=30), timedelta(minutes=30))
    assert session.idle(NOW + timedelta(minutes=31), timedelta(minutes=30))
    assert not session.seen(NOW + timedelta(minutes=20)).idle(NOW + timedelta(minutes=45), timedelta(minutes=30))
    assert not session.due_for_renewal(NOW + timedelta(minutes=49))
    assert session.due_for_renewal(NOW + timedelta(minutes=50))
    assert session.expired(NOW + timedelta(hours=1)) and not session.expired(NOW + timedelta(minutes=59))
    # with the idle limit as the window, a person back within it always finds the token renewed in time
    assert session.due_for_renewal(NOW + timedelta(minutes=31), within=timedelta(minutes=30))
    assert not session.due_for_renewal(NOW + timedelta(minutes=29), within=timedelta(minutes=30))
    # a visit is written down at most once a minute
    assert session.seen_lately(NOW + timedelta(seconds=59)) and not session.seen_lately(NOW + timedelta(minutes=1))
    renewed = session.renewed("d.e.f", NOW + timedelta(hours=2))
    assert (renewed.token, renewed.csrf) == ("d.e.f", session.csrf)  # the forms on open pages still work


def test_each_session_has_a_csrf_token_of_its_own() -> None:
    assert a_session().csrf != a_session().csrf


def test_the_cookie_carries_the_id_alone_for_scripts_of_no_one_and_no_other_site() -> None:
    session_id = new_id()
    header = Cookies(secure=True).header(session_id)
    assert header.startswith(f"{COOKIE}={session_id};") and len(header) < 200
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Secure" in header and "Path=/" in header
    assert "Max-Age=0" in Cookies(secure=True).header(None)
    assert "Secure" not in Cookies(secure=False).header(None)
