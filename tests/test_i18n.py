"""Translations: Indonesian by default, English by explicit choice, and a complete catalog."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from blanko.services import receive_allocation

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = Path("locale", "en", "LC_MESSAGES", "django.po")
PO_FILE = ROOT / PO_PATH
MO_FILE = PO_FILE.with_suffix(".mo")
# The same directories `make messages` leaves out.
MAKEMESSAGES_IGNORED = ("tests", "staticfiles", "test-artifacts")

ENTRY_LINE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$')
PLACEHOLDER = re.compile(r"%\(\w+\)[sdi]|%[sdi]")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m[1], m[1]), text)


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file (obsolete `#~` entries left out), header included.

    Each entry is a dict with msgid, optional msgctxt and msgid_plural, msgstr or
    msgstr[0], msgstr[1]..., and the set of flags (e.g. {"fuzzy", "python-format"}).
    """
    entries: list[dict] = []
    entry: dict = {}
    key = ""

    def flush() -> None:
        nonlocal entry, key
        if "msgid" in entry:
            entries.append(entry)
        entry, key = {}, ""

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if "msgid" in entry:  # a new entry's comments follow the previous entry directly
                flush()
            flags = {flag.strip() for flag in line[2:].split(",")}
            entry.setdefault("flags", set()).update(flags)
        elif line.startswith("#"):
            if "msgid" in entry:
                flush()
        elif match := ENTRY_LINE.match(line):
            key = match[1]
            if key in ("msgctxt", "msgid") and "msgid" in entry:
                flush()
                key = match[1]
            entry[key] = _unescape(match[2])
        elif line.startswith('"') and line.endswith('"') and key:
            entry[key] += _unescape(line[1:-1])
        else:
            raise AssertionError(f"{path.name}: cannot read line {raw!r}")
    flush()
    for item in entries:
        item.setdefault("flags", set())
    return entries


def translations(entry: dict) -> list[str]:
    return [value for key, value in sorted(entry.items()) if key.startswith("msgstr")]


def messages(entries: list[dict]) -> list[dict]:
    return [entry for entry in entries if entry["msgid"]]


def label(entry: dict) -> str:
    return f"{entry.get('msgctxt', '')}|{entry['msgid']}".lstrip("|")


@pytest.fixture
def english(client):
    """Picks English with the footer's language switcher, as a user would."""
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True,
    )
    assert response.status_code == 200
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    return response


# --- Which language is shown ------------------------------------------------------------


def test_default_is_indonesian_even_for_an_english_browser(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="id">' in html
    assert "Masuk petugas" in html
    assert "Staff sign-in" not in html
    assert response.headers["Content-Language"] == "id"


def test_switching_to_english_sets_the_cookie_and_translates_the_login_page(client, english):
    html = english.content.decode()
    assert english.redirect_chain[-1][0] == reverse("login")
    assert '<html lang="en">' in html
    assert "Staff sign-in" in html
    assert "Masuk petugas" not in html

    again = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in again
    assert "Staff sign-in" in again


def test_switching_back_to_indonesian(client, english):
    response = client.post(
        reverse("set_language"), {"language": "id", "next": reverse("login")}, follow=True,
    )

    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Masuk petugas" in html


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_language_list_names_each_language_in_its_own(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("login")).content.decode()
    options = re.findall(r'<option value="(\w+)" lang="\w+"[^>]*>([^<]+)</option>', html)
    assert options == [("id", "Bahasa Indonesia"), ("en", "English")]


def test_unknown_language_in_the_cookie_falls_back_to_indonesian(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    html = client.get(reverse("login")).content.decode()

    assert '<html lang="id">' in html
    assert "Masuk petugas" in html


def test_print_queue_in_english(client, english, office, operator):
    client.force_login(operator)

    response = client.get(reverse("layanan:queue", kwargs={"code": office.code}))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Print queue · Kota Tanjungpinang" in html
    assert "Stock on hand:" in html
    assert "Priority" in html
    assert "Registration no." in html
    assert "No requests are waiting to be printed." in html
    assert "Log out" in html
    assert "Antrean cetak" not in html
    assert "Stok di gudang" not in html


def test_print_queue_in_indonesian_by_default(client, office, operator):
    client.force_login(operator)

    html = client.get(reverse("layanan:queue", kwargs={"code": office.code})).content.decode()

    assert "Antrean cetak · Kota Tanjungpinang" in html
    assert "Stok di gudang:" in html
    assert "Print queue" not in html


# --- Number formats -----------------------------------------------------------------------

STOCK_ON_HAND = re.compile(r'data-testid="stock-on-hand">([^<]*)<')


@pytest.fixture
def stocked_office(office, supervisor):
    receive_allocation(office=office, quantity=6000, reference="BAST-1", by=supervisor)
    return office


def test_thousands_separator_is_a_dot_in_indonesian(client, stocked_office, supervisor):
    client.force_login(supervisor)

    response = client.get(reverse("blanko:stock", kwargs={"code": stocked_office.code}))

    html = response.content.decode()
    assert response.status_code == 200
    assert STOCK_ON_HAND.search(html)[1].strip() == "6.000"
    assert "Stok di gudang" in html


def test_thousands_separator_is_a_comma_in_english(client, english, stocked_office, supervisor):
    client.force_login(supervisor)

    response = client.get(reverse("blanko:stock", kwargs={"code": stocked_office.code}))

    html = response.content.decode()
    assert response.status_code == 200
    assert STOCK_ON_HAND.search(html)[1].strip() == "6,000"
    assert "6.000" not in html
    assert "Stock on hand" in html


# --- The catalog --------------------------------------------------------------------------


def test_po_reader_handles_multiline_plural_and_fuzzy_entries(tmp_path):
    sample = tmp_path / "sample.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"Satu %(n)s "\n"dua"\nmsgstr "One"\n\n'
        '#: b.py:2\nmsgid "%d hari"\nmsgid_plural "%d hari"\nmsgstr[0] "%d day"\n'
        'msgstr[1] ""\n\n'
        '#~ msgid "lama"\n#~ msgstr "old"\n',
        encoding="utf-8",
    )

    header, multiline, plural = read_po(sample)

    assert header["msgstr"] == "Language: en\n"
    assert multiline["msgid"] == "Satu %(n)s dua"
    assert multiline["flags"] == {"fuzzy", "python-format"}
    assert plural["msgid_plural"] == "%d hari"
    assert translations(plural) == ["%d day", ""]


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = read_po(PO_FILE)
    assert len(messages(entries)) > 400, "the English catalog looks truncated"

    fuzzy = [label(entry) for entry in entries if "fuzzy" in entry["flags"]]
    untranslated = [
        label(entry) for entry in messages(entries)
        if not all(text.strip() for text in translations(entry))
    ]
    assert not fuzzy, f"fuzzy entries in {PO_FILE.name}: {fuzzy}"
    assert not untranslated, f"untranslated entries in {PO_FILE.name}: {untranslated}"


def test_plural_entries_have_both_forms():
    for entry in messages(read_po(PO_FILE)):
        if "msgid_plural" in entry:
            assert "msgstr[0]" in entry and "msgstr[1]" in entry, label(entry)


def test_translations_keep_every_placeholder():
    wrong = []
    for entry in messages(read_po(PO_FILE)):
        expected = sorted(PLACEHOLDER.findall(entry["msgid"]))
        wrong += [
            (label(entry), text) for text in translations(entry)
            if sorted(PLACEHOLDER.findall(text)) != expected
        ]
    assert not wrong


def test_committed_mo_matches_the_po():
    """The .mo is committed (CI may lack msgfmt), so it must be compiled from this .po."""
    with MO_FILE.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)

    stale = []
    for entry in messages(read_po(PO_FILE)):
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            forms = translations(entry)
            for n, expected in ((1, forms[0]), (2, forms[1])):
                got = (
                    catalog.npgettext(context, entry["msgid"], entry["msgid_plural"], n)
                    if context else catalog.ngettext(entry["msgid"], entry["msgid_plural"], n)
                )
                if got != expected:
                    stale.append(label(entry))
        else:
            got = (
                catalog.pgettext(context, entry["msgid"]) if context
                else catalog.gettext(entry["msgid"])
            )
            if got != entry["msgstr"]:
                stale.append(label(entry))
    assert not stale, f"django.mo is out of date, run `make messages`: {stale}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_catalog_holds_every_string_of_the_source(tmp_path):
    """makemessages on a copy of the source finds no msgid that the committed .po lacks."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT, copy, symlinks=True,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", ".hypothesis", ".pytest_cache", ".ruff_cache", "__pycache__",
            "node_modules", "db.sqlite3*", *MAKEMESSAGES_IGNORED,
        ),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--ignore=.venv",
         *(f"--ignore={name}" for name in MAKEMESSAGES_IGNORED)],
        cwd=copy, env={**os.environ, "DJANGO_DEBUG": "1"},
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    fresh = {label(entry) for entry in messages(read_po(copy / PO_PATH))}
    committed = {label(entry) for entry in messages(read_po(PO_FILE))}
    missing = sorted(fresh - committed)
    assert not missing, f"run `make messages` and translate the new strings: {missing}"
