"""Write locales/{vi,en}/LC_MESSAGES/messages.po from tools/vi_core.py (the core's catalogue).

Other parts of the bot keep their own .po files (notices.po, zalo.po, ...), edited by hand."""
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from vi_core import VI

ROOT = Path(__file__).resolve().parent.parent

for lang in ("vi", "en"):
    catalog = Catalog(locale=lang, project="nhacviec", charset="utf-8")
    for msgid, msgstr in VI.items():
        catalog.add(msgid, msgstr if lang == "vi" else "")
    path = ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False)
    print(f"wrote {path} ({len(VI)} messages)")
