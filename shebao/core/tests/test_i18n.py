"""Simplified Chinese by default, a complete English UI, and a language switch."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "shebao" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TEMPLATE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
GETTEXT_NAMES = {
    "_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "pgettext", "pgettext_lazy",
}  # fmt: skip


def source_msgids() -> set[str]:
    """Every string marked for translation in our templates and Python code."""
    found: set[str] = set()
    for template in (ROOT / "shebao").rglob("*.html"):
        # makemessages stores a literal % of a {% translate %} string as %%, and Django looks
        # the string up that way.
        found.update(
            match[1].replace("%", "%%") for match in TEMPLATE_TAG.findall(template.read_text())
        )
    for module in list((ROOT / "shebao").rglob("*.py")) + list((ROOT / "config").rglob("*.py")):
        if "migrations" in module.parts:
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT_NAMES
            ):
                continue
            # pgettext(context, message): the message is the second argument.
            position = 1 if node.func.id.startswith("pgettext") else 0
            if len(node.args) > position:
                message = node.args[position]
                if isinstance(message, ast.Constant) and isinstance(message.value, str):
                    found.add(message.value)
    return found


def test_every_marked_string_has_a_chinese_translation():
    catalogue = polib.pofile(str(CATALOGUE))
    translated = {e.msgid for e in catalogue if e.msgstr and "fuzzy" not in e.flags}
    missing = sorted(source_msgids() - translated)
    assert missing == [], f"add these to {CATALOGUE.relative_to(ROOT)}: {missing}"


def test_source_scan_finds_strings():
    # Guards the test above against a scanner that silently finds nothing.
    msgids = source_msgids()
    assert "Staff sign-in" in msgids
    assert "Enterprise Employee Social Insurance" in msgids


def test_staff_home_is_chinese_by_default(login):
    body = login("clerk_maojian").get("/").content.decode()
    assert "所属经办机构" in body
    assert "茅箭区社保经办机构" in body
    assert "受理员" in body


def test_language_switch_turns_the_ui_english_and_back(login):
    client = login("clerk_maojian")
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302
    body = client.get("/").content.decode()
    assert "Your agency" in body
    assert "Maojian District Social Insurance Office" in body
    assert "Counter clerk" in body
    assert "所属经办机构" not in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "所属经办机构" in client.get("/").content.decode()
