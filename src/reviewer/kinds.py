"""Which kind of document a file is: ``--kind``, else the folder's ``application.yaml``, else its name.

The manifest is the applicant folder's own declaration::

    applicant: Amara Okafor
    target: kaiser            # or: other, or a program's name (kaiser.why_specific applies to Kaiser's alone)
    documents:
      personal_statement.docx: personal_statement
      experiences.yaml: experience

File-name rules (case-insensitive, on the file's stem): ``personal_statement*``, ``ps`` followed by a
non-letter or nothing (``ps.docx``, ``ps_v2.md``; ``psych_notes`` is not one), ``experience*``,
``additional*``, ``interview*``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .document import DocKind
from .errors import ConfigError, InputError, KindError
from .programs.profile import Profile

MANIFEST = "application.yaml"
MAX_MANIFEST_BYTES = 1024 * 1024  # a manifest is a few lines

_NAME_RULES: tuple[tuple[re.Pattern[str], DocKind], ...] = (
    (re.compile(r"^personal[ _-]?statement"), DocKind.PERSONAL_STATEMENT),
    (re.compile(r"^ps(?![a-z])"), DocKind.PERSONAL_STATEMENT),
    (re.compile(r"^experience"), DocKind.EXPERIENCE),
    (re.compile(r"^additional"), DocKind.ADDITIONAL_INFO),
    (re.compile(r"^interview"), DocKind.INTERVIEW_ANSWER),
)


def aims_at(target: str, names: tuple[str, ...] = ("kaiser",)) -> bool:
    """Is a review target one of ``names``? A word of it must be one ("kaiser", "Kaiser Permanente Southern
    California", "kaiser-norcal"; not "Kaiserslautern" or "other"). The rules and the model's prompt both ask
    this, so a free-form manifest target means the same program to both."""
    words = set(re.split(r"[^a-z0-9]+", target.strip().lower()))
    return any(n.lower() in words for n in names)


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    applicant: str | None = None
    target: str | None = None
    documents: dict[str, DocKind] = {}
    # the applicant's facts for program selection (reviewer.programs.profile)
    profile: Profile | None = None
    # statement variants written for one program: file -> the program's name, or [name, other names it goes by]
    tailored: dict[str, tuple[str, ...]] = {}

    @field_validator("tailored", mode="before")
    @classmethod
    def _program_names(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[Any, Any] = {}
        for name, program in value.items():
            names = [program] if isinstance(program, str) else program
            if isinstance(names, list | tuple):
                names = [n.strip() for n in names if isinstance(n, str) and n.strip()]
                if not names:
                    raise ValueError(f"{name}: name the program the statement is written for")
            out[name] = names
        return out


def load_manifest(folder: Path) -> Manifest | None:
    """The folder's ``application.yaml``, or None when there is none.

    Read under the rule of :mod:`reviewer.safeopen`: a manifest that is a link out of the folder, a FIFO or a
    folder is refused without being opened (a parser error would otherwise quote the file it points at)."""
    import os

    path = folder / MANIFEST
    if not os.path.lexists(path):
        return None
    from ruamel.yaml.error import YAMLError

    from .safeopen import open_regular
    from .yamlio import load_safe

    try:
        with os.fdopen(open_regular(path), "rb") as fh:
            raw = fh.read(MAX_MANIFEST_BYTES + 1)
        if len(raw) > MAX_MANIFEST_BYTES:
            raise ConfigError("the manifest is too large", path=path, hint="it lists a few documents: a few lines")
        data = load_safe(raw.decode("utf-8"))
    except InputError as exc:
        raise ConfigError(f"cannot read the manifest: it {exc.message}", path=path,
                          hint=f"replace it with a real {MANIFEST} file in the folder") from None
    except (YAMLError, UnicodeDecodeError, OSError, RecursionError) as exc:
        problem = "nested too deeply" if isinstance(exc, RecursionError) else exc
        raise ConfigError(f"cannot read the manifest: {problem}", path=path,
                          hint="it must be YAML with applicant, target and documents") from None
    try:
        return Manifest.model_validate(data or {})
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        if err["loc"] and err["loc"][0] in ("profile", "tailored"):  # values such as J-1 keep their case
            msg = err["msg"].removeprefix("Value error, ")
            hint = "see 'Choosing programs' in the README for the profile and tailored fields"
            raise ConfigError(f"{field}: {msg[:1].lower()}{msg[1:]}", path=path, hint=hint) from None
        raise ConfigError(f"{field}: {err['msg'].lower()}", path=path,
                          hint="kinds are: " + ", ".join(k.value for k in DocKind)) from None


def kind_from_name(path: Path) -> DocKind | None:
    stem = path.stem.lower()
    for pattern, kind in _NAME_RULES:
        if pattern.search(stem):
            return kind
    return None


def parse_kind(value: str) -> DocKind:
    try:
        return DocKind(value.strip().lower().replace("-", "_"))
    except ValueError:
        raise KindError(f"unknown kind '{value}'",
                        hint="kinds are: " + ", ".join(k.value for k in DocKind)) from None


def resolve_kind(path: Path, explicit: DocKind | None = None, manifest: Manifest | None = None) -> DocKind:
    if explicit is not None:
        return explicit
    if manifest is not None and path.name in manifest.documents:
        return manifest.documents[path.name]
    kind = kind_from_name(path)
    if kind is None:
        raise KindError(
            "cannot tell what kind of document this is",
            path=path,
            hint="pass --kind personal_statement|experience|additional_info|interview_answer, list it under "
            f"documents: in {MANIFEST}, or start its name with personal_statement, ps, experience, additional or "
            "interview",
        )
    return kind
