"""Fixtures of the Python binding's tests. meson test runs them with the
package of the build tree on PYTHONPATH (see meson.build)."""

import ctypes
import ctypes.util
import os

import pytest

import ipam


@pytest.fixture
def db():
    with ipam.open("memory:") as d:
        yield d


@pytest.fixture
def idx():
    with ipam.open("index:") as d:
        yield d


@pytest.fixture
def sanitized():
    """True when the library was built with AddressSanitizer."""
    return "address" in os.environ.get("IPAM_SANITIZE", "")


def ed25519_keypair():
    """(public 32 bytes, secret 64 bytes in libsodium's form), made by the
    libsodium libipam links."""
    name = ctypes.util.find_library("sodium")
    assert name, "libsodium is not installed"
    sodium = ctypes.CDLL(name)
    assert sodium.sodium_init() >= 0
    pk, sk = ctypes.create_string_buffer(32), ctypes.create_string_buffer(64)
    assert sodium.crypto_sign_keypair(pk, sk) == 0
    return pk.raw, sk.raw
