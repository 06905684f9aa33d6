"""Private CA and server certificate, so clients can verify TLS exactly as they would against Azure.

Created once in DATA_DIR and reused; the server certificate is re-issued when it is close to expiry
or was not issued by the current CA. Clients trust DATA_DIR/ca.pem (REQUESTS_CA_BUNDLE).
"""

import datetime
import ipaddress
import logging
import os

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOG = logging.getLogger(__name__)

CA_CERT = "ca.pem"
CA_KEY = "ca-key.pem"
SERVER_CERT = "server.pem"
SERVER_KEY = "server-key.pem"


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _write(path, data, mode):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _load(path_cert, path_key):
    try:
        with open(path_cert, "rb") as handle:
            cert = x509.load_pem_x509_certificate(handle.read())
        with open(path_key, "rb") as handle:
            key = serialization.load_pem_private_key(handle.read(), password=None)
    except (OSError, ValueError):
        return None, None
    return cert, key


def _make_ca(data_dir):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Model Management Emulator Local CA")])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(os.path.join(data_dir, CA_KEY), _key_pem(key), 0o600)
    _write(os.path.join(data_dir, CA_CERT), cert.public_bytes(serialization.Encoding.PEM), 0o644)
    LOG.info("created a new local CA in %s", data_dir)
    return cert, key


def _make_server(data_dir, ca_cert, ca_key):
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=397))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write(os.path.join(data_dir, SERVER_KEY), _key_pem(key), 0o600)
    _write(os.path.join(data_dir, SERVER_CERT), cert.public_bytes(serialization.Encoding.PEM), 0o644)
    LOG.info("issued a new server certificate in %s", data_dir)


def _signed_by(cert, ca_cert):
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def ensure_certificates(data_dir):
    """Return (ca_path, server_cert_path, server_key_path), creating what is missing or stale."""
    ca_cert, ca_key = _load(os.path.join(data_dir, CA_CERT), os.path.join(data_dir, CA_KEY))
    if ca_cert is None or ca_cert.not_valid_after_utc < _now() + datetime.timedelta(days=1):
        ca_cert, ca_key = _make_ca(data_dir)
    server_cert, _key = _load(os.path.join(data_dir, SERVER_CERT), os.path.join(data_dir, SERVER_KEY))
    if (server_cert is None or server_cert.not_valid_after_utc < _now() + datetime.timedelta(days=1)
            or not _signed_by(server_cert, ca_cert)):
        _make_server(data_dir, ca_cert, ca_key)
    return (os.path.join(data_dir, CA_CERT), os.path.join(data_dir, SERVER_CERT), os.path.join(data_dir, SERVER_KEY))
