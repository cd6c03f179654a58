"""Signed checkpoints of the audit chain's head, kept outside the database.

The hash chain (``config.audit``) shows an event changed in place, but someone who can write the
database can also recompute every hash after the event they changed, or delete the last events:
the chain then verifies. So the scheduler's ``checkpoint-audit-chain`` job signs the chain's head
(its last sequence number and hash) with an Ed25519 key the database never sees, and writes it as
a small JSON file to a directory outside the database (``AUDIT_CHECKPOINT_DIR``). Checked against
those files, ``verify_against_checkpoints`` reports

- a **re-hashed chain**: an event a checkpoint covers no longer has the hash that was signed;
- a **missing tail**: a checkpoint covers an event that is no longer there.

The key comes from ``AUDIT_SIGNING_KEY`` (a PEM private key, or the path of one); in development
one is generated and kept under ``instance/``, and the checkpoints go to
``instance/audit-checkpoints``. An auditor verifies with the public key alone
(``flask audit verify --checkpoints DIR --public-key FILE``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.audit import AuditEvent, ChainReport, verify_chain
from config.database import utcnow
from config.settings import INSTANCE_DIR, Settings

FORMAT = "childcare-direct/audit-checkpoint/1"
DEVELOPMENT_KEY = INSTANCE_DIR / "audit_signing_key.pem"
DEVELOPMENT_DIR = INSTANCE_DIR / "audit-checkpoints"


class CheckpointsUnavailable(RuntimeError):
    """No key or no directory to make or check checkpoints with (production must set both)."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    made_at: datetime
    key_id: str
    signature: str = ""
    name: str = ""

    def signed_bytes(self) -> bytes:
        """What the signature covers: the head, when, and with which key, as canonical JSON."""
        content = {
            "format": FORMAT,
            "seq": self.seq,
            "hash": self.hash,
            "made_at": self.made_at.isoformat(),
            "key_id": self.key_id,
        }
        return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The configured key; in development, a key made once and kept under instance/ (tests and
    production must set one: a test never writes to instance/)."""
    pem = settings.audit_signing_key
    if not pem:
        if settings.environment != "development":
            raise CheckpointsUnavailable(f"AUDIT_SIGNING_KEY must be set in {settings.environment}")
        if not DEVELOPMENT_KEY.exists():
            DEVELOPMENT_KEY.parent.mkdir(parents=True, exist_ok=True)
            made = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            DEVELOPMENT_KEY.write_bytes(made)
            DEVELOPMENT_KEY.chmod(0o600)
        pem = DEVELOPMENT_KEY.read_text()
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointsUnavailable("AUDIT_SIGNING_KEY must be an Ed25519 private key")
    return key


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointsUnavailable("the public key must be an Ed25519 key")
    return key


def public_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def checkpoint_dir(settings: Settings) -> Path:
    if settings.audit_checkpoint_dir:
        return Path(settings.audit_checkpoint_dir)
    if settings.environment != "development":
        raise CheckpointsUnavailable(f"AUDIT_CHECKPOINT_DIR must be set in {settings.environment}")
    return DEVELOPMENT_DIR


def make_checkpoint(session: Session, key: Ed25519PrivateKey, directory: Path) -> Checkpoint | None:
    """Sign the chain's head and write it to ``directory`` (None: no events, or no new ones)."""
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    if head is None:
        return None
    latest = latest_checkpoint(directory, key.public_key())
    if latest is not None and latest.seq == head.seq and latest.hash == head.hash:
        return None
    unsigned = Checkpoint(seq=head.seq, hash=head.hash, made_at=utcnow(), key_id=key_id(key.public_key()))
    signature = base64.b64encode(key.sign(unsigned.signed_bytes())).decode()
    name = f"checkpoint-{head.seq:012d}-{unsigned.made_at:%Y%m%dT%H%M%S%f}.json"
    body = {**json.loads(unsigned.signed_bytes()), "signature": signature}
    _write_atomically(directory, name, json.dumps(body, indent=2, sort_keys=True) + "\n")
    return Checkpoint(unsigned.seq, unsigned.hash, unsigned.made_at, unsigned.key_id, signature, name)


def _write_atomically(directory: Path, name: str, text: str) -> None:
    """A whole file or none (a crash mid-write leaves only a temporary file, never half a checkpoint)."""
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".checkpoint-", suffix=".tmp")
    with os.fdopen(handle, "w") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, directory / name)


@dataclass
class LoadedCheckpoints:
    valid: list[Checkpoint] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def load_checkpoints(directory: Path, public: Ed25519PublicKey) -> LoadedCheckpoints:
    """Every checkpoint file in ``directory`` whose signature holds (oldest first); a file that
    does not parse, or whose signature does not hold, is a problem in itself."""
    loaded = LoadedCheckpoints()
    for path in sorted(directory.glob("checkpoint-*.json")) if directory.is_dir() else []:
        try:
            body = json.loads(path.read_text())
            checkpoint = Checkpoint(
                seq=int(body["seq"]),
                hash=str(body["hash"]),
                made_at=datetime.fromisoformat(body["made_at"]),
                key_id=str(body["key_id"]),
                signature=str(body["signature"]),
                name=path.name,
            )
            if body.get("format") != FORMAT:
                raise ValueError("unknown format")
            public.verify(base64.b64decode(checkpoint.signature), checkpoint.signed_bytes())
        except InvalidSignature:
            loaded.problems.append(f"checkpoint {path.name}: its signature does not hold (altered or forged)")
            continue
        except (ValueError, KeyError, TypeError) as error:
            loaded.problems.append(f"checkpoint {path.name}: not a checkpoint ({type(error).__name__})")
            continue
        loaded.valid.append(checkpoint)
    loaded.valid.sort(key=lambda c: (c.seq, c.made_at))
    return loaded


def latest_checkpoint(directory: Path, public: Ed25519PublicKey) -> Checkpoint | None:
    valid = load_checkpoints(directory, public).valid
    return valid[-1] if valid else None


@dataclass(frozen=True)
class Verification:
    chain: ChainReport
    last_seq: int
    checkpoints: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems


def verify_against_checkpoints(session: Session, loaded: LoadedCheckpoints) -> Verification:
    """The chain's own links, then each signed checkpoint against the events it covers."""
    chain = verify_chain(session)
    last_seq = int(session.scalar(select(func.max(AuditEvent.seq))) or 0)
    problems = list(loaded.problems)
    hashes = dict(
        session.execute(
            select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.in_({c.seq for c in loaded.valid}))
        ).all()
    )
    for checkpoint in loaded.valid:
        when = f"{checkpoint.made_at:%Y-%m-%d %H:%M:%S} UTC"
        if checkpoint.seq > last_seq:
            problems.append(
                f"missing tail: the checkpoint signed {when} covers event {checkpoint.seq}, but the chain "
                f"ends at event {last_seq}: events {last_seq + 1} to {checkpoint.seq} were deleted"
            )
        elif hashes.get(checkpoint.seq) != checkpoint.hash:
            problems.append(
                f"re-hashed chain: event {checkpoint.seq} does not have the hash signed {when}: "
                f"the chain was rewritten at or before event {checkpoint.seq}"
            )
    return Verification(chain, last_seq, len(loaded.valid), tuple(dict.fromkeys(problems)))


def run_checkpoint_job(session: Session, settings: Settings) -> dict[str, int]:
    """The scheduler's job: sign the head if it moved since the last checkpoint."""
    made = make_checkpoint(session, signing_key(settings), checkpoint_dir(settings))
    session.rollback()  # read only: end the transaction the reads began
    return {"checkpoints": int(made is not None), "seq": made.seq if made else 0}
