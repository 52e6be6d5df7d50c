"""Bring the catalogues in line with the source: ``python -m actionplan.locale.update``.

Extracts the English messages (``babel.cfg``) into ``actionplan.pot``, merges them into each
language's ``.po`` (new messages arrive untranslated, vanished ones become obsolete) and
compiles every ``.po`` into the ``.mo`` the program loads.  The same as running
``pybabel extract``, ``update`` and ``compile`` by hand (see docs/i18n.md).
"""

from __future__ import annotations

import sys

from actionplan.core.i18n import DOMAIN, LANGUAGES, LOCALE_DIR
from actionplan.locale.extract import source_catalog


def main() -> int:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    template = source_catalog()
    with open(LOCALE_DIR / f"{DOMAIN}.pot", "wb") as out:
        write_po(out, template, omit_header=False, no_location=True, sort_output=True, width=120)
    untranslated = 0
    for lang in LANGUAGES[1:]:
        po_path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po_path.exists():
            with open(po_path, "rb") as f:
                catalog = read_po(f, locale=lang)
        else:
            from babel.messages.catalog import Catalog

            po_path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=lang, domain=DOMAIN, project="actionplan", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with open(po_path, "wb") as out:
            write_po(out, catalog, no_location=True, sort_output=True, width=120)
        with open(po_path.with_suffix(".mo"), "wb") as out:
            write_mo(out, catalog)
        missing = [m.id for m in catalog if m.id and not m.string]
        untranslated += len(missing)
        print(f"{lang}: {len(catalog) - 1} messages, {len(missing)} untranslated", file=sys.stderr)
    return 1 if untranslated else 0


if __name__ == "__main__":
    sys.exit(main())
