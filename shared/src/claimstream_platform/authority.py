"""A certificate authority of one host's own, and a server certificate it signs: what a broker and a database need to
speak TLS where no operator makes their certificates (docker-compose.yml: `single_host`; the tests' SASL_SSL
listener), so that every client reaches them with `verify-full` exactly as a cluster's are reached (docs/deploy.md,
"Transport")."""

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_DAYS = 825  # a host's: renewed by making the folder again (the tests' are made fresh each run)


@dataclass(frozen=True)
class ServerTls:
    ca_file: Path  # the authority's certificate: what a client trusts
    certificate_file: Path  # the server's certificate, then the authority's
    key_file: Path  # the server's private key, PKCS#8, unencrypted (the folder is the test's own)


def make_server_tls(folder: Path, *hosts: str) -> ServerTls:
    """An authority and a certificate it signs for `hosts` (addresses or names; 127.0.0.1 and `localhost` when none
    is given)."""
    hosts = hosts or ("127.0.0.1",)
    folder.mkdir(parents=True, exist_ok=True)
    authority_key = ec.generate_private_key(ec.SECP256R1())
    authority = _certificate("claimstream local authority", authority_key.public_key(), authority_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate(hosts[0], server_key.public_key(), authority_key, ca=False, issuer=authority, hosts=hosts)
    pem = serialization.Encoding.PEM
    tls = ServerTls(folder / "ca.crt", folder / "server.crt", folder / "server.key")
    tls.ca_file.write_bytes(authority.public_bytes(pem))
    tls.certificate_file.write_bytes(server.public_bytes(pem) + authority.public_bytes(pem))
    private = serialization.PrivateFormat.PKCS8
    tls.key_file.write_bytes(server_key.private_bytes(pem, private, serialization.NoEncryption()))
    tls.key_file.chmod(0o600)
    return tls


def _certificate(
    name: str,
    public_key: ec.EllipticCurvePublicKey,
    signer: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    issuer: x509.Certificate | None = None,
    hosts: tuple[str, ...] = (),
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=_DAYS))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    builder = builder.add_extension(_usage(ca), critical=True)
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    if issuer is not None:  # what a strict verifier (Python 3.13's default) asks of a certificate it checks
        authority = x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key())
        builder = builder.add_extension(authority, critical=False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    if hosts:
        names = [name for host in hosts for name in _names(host)]
        builder = builder.add_extension(x509.SubjectAlternativeName(list(dict.fromkeys(names))), critical=False)
    return builder.sign(signer, hashes.SHA256())


def _usage(ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _names(host: str) -> list[x509.GeneralName]:
    try:
        return [x509.IPAddress(ipaddress.ip_address(host)), x509.DNSName("localhost")]
    except ValueError:
        return [x509.DNSName(host)]
