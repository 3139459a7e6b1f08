"""Architecture guards: imports point down the layers, and start-up stays light.

Data flows one way (see DESIGN.md): a module may import from its own layer or the layers below it,
never above. ``findings`` never imports checks, llm or render; only the CLI sits on top.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "reviewer"

# Lowest first. A key is a module path relative to the package ("checks.rules") or a subpackage ("render").
LAYERS: list[set[str]] = [
    {"errors"},
    # render.registry names the output formats (settings validates --format against it); it imports only fsio and
    # loads renderers by name when a file is written
    {"document", "settings", "fsio", "safeopen", "docx_visible", "docx_xml", "redact", "yamlio", "render.registry",
     "programs.profile"},
    {"segment", "findings", "kinds"},
    {"ingest"},
    {"checks.registry", "checks.text", "checks.builtin", "checks.score", "checks.kaiser", "checks.experience",
     "checks.interview", "checks.integrity", "checks.application", "checks"},
    {"rubric"},
    {"checks.rules"},
    {"programs"},
    # rewrite reads only checks, document and findings: the model engine fact-checks its rewrite with it
    {"rewrite"},
    {"llm"},
    {"strengths"},
    {"render"},
    {"store", "revision"},
    {"pipeline"},
    {"cohort", "batchfile", "purge", "evaluate", "programs.applicant"},
    {"web"},
    {"cli", "cli_cohort", "cli_common", "cli_eval", "cli_privacy", "cli_programs", "cli_web", "__main__"},
]


def _layer(module: str) -> int:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        for i, layer in enumerate(LAYERS):
            if key in layer:
                return i
    raise AssertionError(f"module reviewer.{module} is in no layer: add it to LAYERS")


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "__init__"


def _imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text())
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = [*base, *(node.module.split(".") if node.module else [])]
                if node.module is None:
                    out.update(".".join([*target, a.name]) for a in node.names)
                else:
                    out.add(".".join(target))
            elif node.module and node.module.startswith("reviewer."):
                out.add(node.module.removeprefix("reviewer."))
        elif isinstance(node, ast.Import):
            out.update(a.name.removeprefix("reviewer.") for a in node.names if a.name.startswith("reviewer."))
    return {m for m in out if m}


def test_imports_point_down() -> None:
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        module = _module_name(path)
        if module == "__init__":
            continue
        mine = _layer(module)
        for imported in _imports(path, module):
            if _layer(imported) > mine:
                problems.append(f"reviewer.{module} (layer {mine}) imports reviewer.{imported} ({_layer(imported)})")
    assert not problems, "\n".join(problems)


def test_only_one_module_imports_langchain() -> None:
    users = [p for p in SRC.rglob("*.py") if "langchain" in p.read_text()
             and any("langchain" in (getattr(n, "module", None) or "") or
                     any("langchain" in a.name for a in getattr(n, "names", []))
                     for n in ast.walk(ast.parse(p.read_text())) if isinstance(n, ast.Import | ast.ImportFrom))]
    assert len(users) <= 1, users


def test_cli_start_up_imports_nothing_heavy() -> None:
    code = (
        "import sys, reviewer.cli\n"
        "heavy = [m for m in ('docx', 'pysbd', 'pypdf', 'lxml', 'pydantic', 'rich', 'ruamel', 'rapidfuzz',"
        " 'jinja2', 'langchain_openai', 'openai', 'httpx', 'httpx2', 'starlette', 'uvicorn', 'multipart',"
        " 'python_multipart', 'selenium') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"imported at start-up: {out.stdout.strip()}"


def test_help_runs() -> None:
    out = subprocess.run([sys.executable, "-m", "reviewer", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "review" in out.stdout
