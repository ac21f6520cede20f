"""Statements through a mail relay as production has one, a real SMTP server (aiosmtpd) that takes mail only after
STARTTLS, its certificate signed by a private authority the mailer is told of, and a login: the right login
delivers; a wrong one, or a mailer that would not start TLS, is refused and delivers nothing."""

import datetime as dt
import ipaddress
import smtplib
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from patient_billing.mailer import Mailer

LOGIN, PASSWORD = "statements", "relay-password-for-this-test"


class _Kept:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope.content)
        return "250 kept"


def _login(*asked: Any) -> AuthResult:
    """aiosmtpd's authenticator: (server, session, envelope, mechanism, the login and password given)."""
    auth_data = asked[-1]
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        LOGIN.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself


def _certificate(subject: str, issuer: str, key: Any, signer: Any, *, authority: bool) -> x509.Certificate:
    """A day's certificate for `subject`, signed by `signer`: an authority's, or the relay's for 127.0.0.1."""
    now = dt.datetime.now(dt.UTC)
    built = x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
    built = built.issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
    built = built.public_key(key.public_key()).serial_number(x509.random_serial_number())
    built = built.not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
    if authority:
        built = built.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    else:
        here = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        built = built.add_extension(here, critical=False)
    return built.sign(signer, hashes.SHA256())


def _certificates(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A private authority, and the relay's certificate for 127.0.0.1 signed by it."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    authority = "test relay authority"
    ca = _certificate(authority, authority, ca_key, ca_key, authority=True)
    relay = _certificate("127.0.0.1", authority, key, ca_key, authority=False)
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "relay.pem").write_bytes(relay.public_bytes(pem))
    plain = serialization.NoEncryption()
    (folder / "relay.key").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, plain))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "relay.pem", folder / "relay.key")
    return context, folder / "ca.pem"


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[tuple[_Kept, int, Path]]:
    context, ca_file = _certificates(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    kept = _Kept()
    options = {"tls_context": context, "require_starttls": True, "authenticator": _login, "auth_require_tls": True}
    controller = Controller(kept, hostname="127.0.0.1", port=port, **options)
    controller.start()
    yield kept, port, ca_file
    controller.stop()


async def test_the_relay_takes_a_statement_over_tls_with_the_login_only(relay: tuple[_Kept, int, Path]) -> None:
    kept, port, ca_file = relay
    mailer = Mailer("127.0.0.1", port, "statements@test.example", starttls=True, ca_file=ca_file)
    await Mailer(**{**vars(mailer), "username": LOGIN, "password": PASSWORD}).send(
        "ana@example.org", "Your statement", "Amount due: $30.00", b"%PDF-1.4", "statement.pdf"
    )
    assert len(kept.messages) == 1 and b"Amount due: $30.00" in kept.messages[0]
    with pytest.raises(smtplib.SMTPAuthenticationError):
        await Mailer(**{**vars(mailer), "username": LOGIN, "password": "guessed"}).send("ana@example.org", "s", "t")
    with pytest.raises(smtplib.SMTPException):  # no TLS: the relay will not take a login or a message
        await Mailer("127.0.0.1", port, "statements@test.example", username=LOGIN, password=PASSWORD).send(
            "ana@example.org", "s", "t"
        )
    assert len(kept.messages) == 1
