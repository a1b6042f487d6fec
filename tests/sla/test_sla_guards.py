"""The sla domain reads tickets, messages and customers through their services only."""

from pathlib import Path

from tests.test_guards import PACKAGE, imported_modules, python_files

OTHER_TABLES = ("kefu.tickets.models", "kefu.customers.models", "kefu.accounts.models")


def test_sla_imports_no_other_domains_tables() -> None:
    offenders = [
        f"{path.name} imports {module}"
        for path in python_files(PACKAGE / "sla")
        for module in imported_modules(path)
        if module.startswith(OTHER_TABLES) or module.startswith("kefu.commerce.models")
    ]
    assert offenders == []


def test_sla_writes_no_other_domains_rows_in_sql() -> None:
    """No hand-written SQL naming the tickets, messages or customers tables either."""
    for path in python_files(PACKAGE / "sla"):
        text = Path(path).read_text()
        for table in ("FROM tickets", "UPDATE tickets", "FROM messages", "FROM customers"):
            assert table not in text, f"{path.name}: {table}"
