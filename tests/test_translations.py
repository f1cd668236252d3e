"""The translation catalogues are complete and their compiled .mo files current.

Read with polib (pure Python) rather than GNU gettext, so the check runs on machines
without gettext installed: `make messages` (which needs it) regenerates the
catalogues after code changes, and these tests then show what is left to translate.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
#: Python %-placeholders ("%(amount)s", "%d", "%%"): a translation must keep them.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def _catalogue(code: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / code / "LC_MESSAGES" / "django.po"))


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text)) - {"%%"}


def test_there_is_a_second_language():
    assert LANGUAGES, "settings.LANGUAGES lists only the source language"


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_language_has_a_catalogue(code):
    assert (LOCALE_DIR / code / "LC_MESSAGES" / "django.po").is_file(), f"run `make messages` for {code}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_msgid_has_a_translation(code):
    catalogue = _catalogue(code)
    assert len(catalogue) > 100, "the catalogue looks truncated"
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    missing += [entry.msgid for entry in catalogue if entry.msgid_plural and not all(entry.msgstr_plural.values())]
    assert not missing, f"{len(missing)} untranslated in locale/{code}: " + "; ".join(sorted(set(missing))[:20])
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not fuzzy, f"fuzzy (check, then drop the flag) in locale/{code}: " + "; ".join(fuzzy[:20])


@pytest.mark.parametrize("code", LANGUAGES)
def test_translations_keep_their_placeholders(code):
    wrong = []
    for entry in _catalogue(code).translated_entries():
        if entry.msgid_plural:
            allowed = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural)
            # A singular form may leave the count out ("every day"); none may invent one.
            if any(not _placeholders(text) <= allowed for text in entry.msgstr_plural.values()):
                wrong.append(entry.msgid)
        elif _placeholders(entry.msgstr) != _placeholders(entry.msgid):
            wrong.append(entry.msgid)
    assert not wrong, f"placeholders differ in locale/{code}: {wrong}"


def _has_text(entry) -> bool:
    return all(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_compiled_catalogue_is_current(code):
    """The committed .mo says what the .po says (compile with `make messages`)."""
    mo_path = LOCALE_DIR / code / "LC_MESSAGES" / "django.mo"
    assert mo_path.is_file(), f"locale/{code}: django.mo is missing; run `make messages`"

    def entries(catalogue) -> dict:
        return {
            (entry.msgctxt, entry.msgid): (
                tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
                if entry.msgid_plural
                else entry.msgstr
            )
            for entry in catalogue
            if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags and _has_text(entry)
        }

    po, mo = entries(_catalogue(code)), entries(polib.mofile(str(mo_path)))
    stale = sorted(
        f"{key[1]!r}: .po {po.get(key)!r} / .mo {mo.get(key)!r}"
        for key in set(po) | set(mo)
        if po.get(key) != mo.get(key)
    )
    assert not stale, f"locale/{code}/LC_MESSAGES/django.mo is stale (run `make messages`): {stale[:10]}"
