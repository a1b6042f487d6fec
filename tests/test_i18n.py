"""Every text people see ships in English and Simplified Chinese."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from kefu.kit.i18n import LOCALE_DIR, negotiate

ROOT = Path(__file__).resolve().parent.parent


def message_ids(path: Path) -> set[str]:
    with path.open("rb") as po_file:
        return {str(m.id) for m in read_po(po_file) if m.id}


def test_catalog_template_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "ngettext:1,2",
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert message_ids(fresh) == message_ids(LOCALE_DIR / "messages.pot"), (
        "run scripts/i18n-update and translate the new messages"
    )


def test_every_message_has_a_chinese_translation() -> None:
    with (LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
    assert message_ids(LOCALE_DIR / "messages.pot") <= {str(m.id) for m in catalog if m.id}


def test_browser_languages_map_to_ours() -> None:
    assert negotiate("zh-CN,zh;q=0.9", "en") == "zh_Hans"
    assert negotiate("en-GB,en;q=0.8", "zh_Hans") == "en"
    assert negotiate("fr-FR", "en") == "en"
    assert negotiate(None, "zh_Hans") == "zh_Hans"
