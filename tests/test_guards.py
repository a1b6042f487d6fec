"""Guards for the recipe in CONVENTIONS.md: small files, services that never commit,
domains that never reach into each other's tables."""

import ast
from pathlib import Path

from kefu.domains import DOMAINS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kefu"
MAX_LINES = 400


def python_files(where: Path) -> list[Path]:
    return sorted(p for p in where.rglob("*.py") if "migrations" not in p.parts)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of nodes inside `if TYPE_CHECKING:` blocks: annotations, not table access."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for child in node.body:
                inside |= {id(n) for n in ast.walk(child)}
    return inside


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_no_file_is_over_400_lines() -> None:
    too_long = {
        str(p.relative_to(ROOT)): n
        for p in python_files(PACKAGE) + python_files(ROOT / "tests")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_only_the_unit_of_work_commits() -> None:
    """Services, pages, routes and jobs never commit: kefu.db's unit of work does."""
    offenders = []
    for path in python_files(PACKAGE):
        if path == PACKAGE / "db.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "commit":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def domain_of(module: str) -> str | None:
    """The domain a module belongs to ("kefu.channels.email.models" -> "channels.email")."""
    for domain in sorted(DOMAINS, key=len, reverse=True):
        if module == f"kefu.{domain}" or module.startswith(f"kefu.{domain}."):
            return domain
    return None


def module_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def test_no_domain_imports_another_domains_models() -> None:
    offenders = []
    for domain in DOMAINS:
        for path in python_files(PACKAGE / domain.replace(".", "/")):
            if domain_of(module_of(path)) != domain:
                continue  # a domain nested inside this one (kb.helpcenter in kb) is its own
            for module in imported_modules(path):
                owner = domain_of(module)
                if (
                    owner is not None
                    and owner != domain
                    and module.removeprefix(f"kefu.{owner}.").split(".")[0] == "models"
                ):
                    offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_core_and_kit_import_no_domain() -> None:
    """kit/ and the core modules stay domain-free, so every domain may use them."""
    core = [
        *python_files(PACKAGE / "kit"),
        *(
            PACKAGE / name
            for name in (
                "config.py",
                "db.py",
                "events.py",
                "dispatch.py",
                "jobs.py",
                "errors.py",
                "permissions.py",
            )
        ),
    ]
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in core
        for module in imported_modules(path)
        if domain_of(module) is not None
    ]
    assert offenders == []


def test_the_guards_catch_a_cross_domain_import(tmp_path: Path) -> None:
    """The AST check itself works: a file importing another domain's models is found."""
    sample = tmp_path / "bad.py"
    sample.write_text("from kefu.accounts.models import Agent\nimport kefu.compliance.models\n")
    assert {"kefu.accounts.models", "kefu.compliance.models"} <= imported_modules(sample)
    assert domain_of("kefu.channels.email.models") == "channels.email"
    assert domain_of("kefu.channels") is None


def test_type_only_imports_are_not_table_access(tmp_path: Path) -> None:
    sample = tmp_path / "typed.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from kefu.accounts.models import Agent\n"
        "from kefu.customers.models import Customer\n"
    )
    found = imported_modules(sample)
    assert "kefu.accounts.models" not in found
    assert "kefu.customers.models" in found
