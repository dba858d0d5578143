"""The sealed ballot box's cryptography: election keys, sealed ballots and shares of the key.

Pure functions over bytes and strings (no Flask, no database). PyNaCl's sealed box (X25519 and
XSalsa20-Poly1305, libsodium) seals each ballot to the call's public key: anyone may seal, only
the private key opens, and a changed ciphertext fails to open. The private key is split into
SLIP-39 shares (``shamir-mnemonic``, the standard's reference code) for the trustees, or
derived from ``BALLOT_KEY`` in server mode. docs/ballot-secrecy.md says why these two.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import struct
from collections.abc import Iterable
from dataclasses import dataclass

import shamir_mnemonic
from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError
from nacl.hash import blake2b
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox
from shamir_mnemonic.wordlist import WORDLIST

FORMAT = 1
_HEADER = struct.Struct(">BIIH")  # format, call, area, number of choices
_ENTRY = struct.Struct(">Ii")  # project id, value (1, points or rank)
SMALLEST = 256  # bytes of the smallest padded ballot
SHARE_WORDS = 33  # a SLIP-39 share of a 32-byte key


class BadBallot(ValueError):
    """A ciphertext that does not open, or opens to something that is not a ballot."""


class ShareRefused(ValueError):
    """A trustee's share cannot be used; ``code`` says why, ``word`` which word (1-based)."""

    def __init__(self, code: str, word: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.word = word


@dataclass(frozen=True)
class KeyPair:
    private: bytes
    public: bytes


# -- keys


def new_keypair() -> KeyPair:
    """A fresh election key pair from the operating system's random source."""
    key = PrivateKey.generate()
    return KeyPair(bytes(key), bytes(key.public_key))


def _derive(secret: str, salt: bytes, person: bytes) -> bytes:
    """32 bytes from a secret of the environment and a stored salt (keyed BLAKE2b)."""
    key = hashlib.sha256(secret.encode()).digest()
    return blake2b(salt, key=key, person=person, digest_size=32, encoder=RawEncoder)


def derived_keypair(ballot_key: str, salt: bytes) -> KeyPair:
    """Server mode: the call's key pair, rebuilt from BALLOT_KEY and the call's salt whenever it
    is needed, so the private key is never stored anywhere."""
    key = PrivateKey(_derive(ballot_key, salt, b"civic-election"))
    return KeyPair(bytes(key), bytes(key.public_key))


def public_of(private: bytes) -> bytes:
    return bytes(PrivateKey(private).public_key)


def fingerprint(public: bytes) -> str:
    """What staff and trustees compare to know they speak of the same key: 16 bytes, grouped."""
    digest = hashlib.sha256(b"civic-election-key:" + public).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


# -- ballots


def padded_size(max_projects: int) -> int:
    """Every ballot of a call is padded to one size, a power of two that fits a ballot choosing
    every project, so a ciphertext's length says nothing of how many were chosen."""
    needed = _HEADER.size + _ENTRY.size * max(max_projects, 1)
    size = SMALLEST
    while size < needed:
        size *= 2
    return size


def pack(call_id: int, area_id: int, choices: dict[int, int], size: int) -> bytes:
    """A ballot as bytes of exactly ``size``: the call and area it belongs to, then its choices
    in project order, then zeros."""
    chosen = sorted((p, v) for p, v in choices.items() if v > 0)
    body = _HEADER.pack(FORMAT, call_id, area_id, len(chosen)) + b"".join(
        _ENTRY.pack(p, v) for p, v in chosen
    )
    if len(body) > size:
        raise BadBallot("too_long")
    return body + bytes(size - len(body))


def unpack(data: bytes) -> tuple[int, int, dict[int, int]]:
    """(call, area, choices) of a packed ballot."""
    if len(data) < _HEADER.size:
        raise BadBallot("short")
    version, call_id, area_id, count = _HEADER.unpack_from(data)
    end = _HEADER.size + count * _ENTRY.size
    if version != FORMAT or end > len(data) or any(data[end:]):
        raise BadBallot("format")
    choices: dict[int, int] = {}
    for n in range(count):
        project, value = _ENTRY.unpack_from(data, _HEADER.size + n * _ENTRY.size)
        if project in choices:
            raise BadBallot("repeated")
        choices[project] = value
    return call_id, area_id, choices


def seal(public: bytes, plaintext: bytes) -> bytes:
    return bytes(SealedBox(PublicKey(public)).encrypt(plaintext))


def opener(private: bytes) -> SealedBox[PrivateKey]:
    """A box that opens this key's ciphertexts (built once for a whole count)."""
    return SealedBox(PrivateKey(private))


def open_sealed(box: SealedBox[PrivateKey], ciphertext: bytes) -> bytes:
    try:
        return bytes(box.decrypt(ciphertext))
    except CryptoError:
        raise BadBallot("does_not_open") from None


def tracking_code(ciphertext: bytes) -> str:
    """A short public name of a ciphertext: the voter sees theirs, the box page lists all."""
    digest = base64.b32encode(hashlib.sha256(ciphertext).digest()[:10]).decode()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))


def box_hash(codes: Iterable[str]) -> str:
    """One hash of a box's contents (its tracking codes in sorted order), published with the
    count so anyone can check that the box counted is the box they saw."""
    return hashlib.sha256("\n".join(sorted(codes)).encode()).hexdigest()


# -- shares of the private key


def split(private: bytes, threshold: int, count: int) -> list[str]:
    """``count`` SLIP-39 shares of the key (33 words each); any ``threshold`` rebuild it."""
    (group,) = shamir_mnemonic.generate_mnemonics(
        1, [(threshold, count)], private, iteration_exponent=0
    )
    return list(group)


def normalise_share(text: str) -> str:
    """Words as a person may type them: any case, spaces, new lines, commas or numbering."""
    words = re.findall(r"[a-zA-Z]+", text)
    return " ".join(w.lower() for w in words)


def check_share(text: str) -> str:
    """The share, normalised, if it is 33 words of the SLIP-39 list with a valid checksum."""
    words = normalise_share(text).split()
    if len(words) != SHARE_WORDS:
        raise ShareRefused("word_count")
    for n, word in enumerate(words, start=1):
        if word not in _WORDS:
            raise ShareRefused("unknown_word", n)
    mnemonic = " ".join(words)
    try:
        shamir_mnemonic.Share.from_mnemonic(mnemonic)
    except shamir_mnemonic.MnemonicError:
        # The library's message quotes the first words of the share: never show or log it.
        raise ShareRefused("checksum") from None
    return mnemonic


_WORDS = frozenset(WORDLIST)


def new_salt() -> bytes:
    return secrets.token_bytes(16)


def commitment(salt: bytes, mnemonic: str) -> str:
    """What the server keeps of a share: a salted hash that recognises it and reveals nothing."""
    return hmac.new(salt, b"civic-share:" + mnemonic.encode(), hashlib.sha256).hexdigest()


def matches(salt: bytes, mnemonic: str, stored: str) -> bool:
    return hmac.compare_digest(commitment(salt, mnemonic), stored)


def combine(mnemonics: list[str]) -> bytes:
    """The private key from enough shares; fewer than the threshold raise ``too_few``."""
    try:
        return bytes(shamir_mnemonic.combine_mnemonics(mnemonics))
    except shamir_mnemonic.MnemonicError:
        raise ShareRefused("too_few") from None


# -- handing shares out and holding them during a count


def new_pickup() -> KeyPair:
    """A trustee's one-time key: its private half lives only in that trustee's session."""
    return new_keypair()


def seal_share(pickup_public: bytes, mnemonic: str) -> bytes:
    return seal(pickup_public, mnemonic.encode())


def open_share(pickup_private: bytes, sealed: bytes) -> str:
    try:
        return opener(pickup_private).decrypt(sealed).decode()
    except CryptoError:
        raise ShareRefused("pickup_key") from None


def hold_share(ballot_key: str, salt: bytes, mnemonic: str) -> bytes:
    """A share entered at the count, kept until the k-th arrives, encrypted under a key derived
    from BALLOT_KEY (never in the database) and the count's salt."""
    return bytes(SecretBox(_derive(ballot_key, salt, b"civic-count")).encrypt(mnemonic.encode()))


def release_share(ballot_key: str, salt: bytes, held: bytes) -> str:
    try:
        return SecretBox(_derive(ballot_key, salt, b"civic-count")).decrypt(held).decode()
    except CryptoError:
        raise ShareRefused("held") from None
