"""PyInstaller runtime hook: model downloads verify TLS against the system's CA certificates on any distribution.

The bundle carries the build machine's OpenSSL, which looks for certificates where the build system
keeps them (/usr/lib/ssl on Debian). On Fedora, openSUSE or Alpine that folder does not exist and every
HTTPS download would fail certificate verification. Before the app starts, point SSL_CERT_FILE at the
first CA bundle this system has, unless the user already set it.
"""

import os
import sys

CA_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Arch, Gentoo
    "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora, RHEL
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  # RHEL/CentOS 7+
    "/etc/ssl/ca-bundle.pem",  # openSUSE
    "/etc/ssl/cert.pem",  # Alpine, macOS
)


def choose_ca_bundle(environ: dict, candidates=CA_BUNDLES) -> str | None:
    """The CA bundle to use, or None when the user set one or the system has none of the known files."""
    if environ.get("SSL_CERT_FILE") or environ.get("SSL_CERT_DIR"):
        return None
    return next((path for path in candidates if os.path.isfile(path)), None)


if getattr(sys, "frozen", False) and sys.platform != "win32":  # Windows: Python reads the system store itself
    _chosen = choose_ca_bundle(os.environ)
    if _chosen:
        os.environ["SSL_CERT_FILE"] = _chosen
