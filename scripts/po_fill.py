"""Fill or correct zh-Hans translations in the .po file from a JSON map {msgid: msgstr} (developer tool).

    .venv/bin/python scripts/po_fill.py translations.json

Entries are matched by their msgid (single-line msgids only); a fuzzy flag on a filled entry is removed.
Prints the msgids it could not find. Run `make messages` first, compile afterwards.
"""

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def main() -> int:
    wanted = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    missing = set(wanted)
    for index, block in enumerate(blocks):
        match = re.search(r'^msgid "(.*)"\nmsgstr ".*"$', block, re.MULTILINE)
        if not match:
            continue
        msgid = match.group(1).replace('\\"', '"').replace("\\\\", "\\")
        if msgid not in wanted:
            continue
        missing.discard(msgid)
        lines = [line for line in block.split("\n") if not line.startswith("#| ")]
        lines = [re.sub(r"^#, fuzzy(, )?", "#, ", line) if line.startswith("#, fuzzy") else line for line in lines]
        lines = [line for line in lines if line.strip() != "#,"]
        block = "\n".join(lines)
        block = re.sub(r'^msgstr ".*"$', f'msgstr "{escape(wanted[msgid])}"', block, flags=re.MULTILINE)
        blocks[index] = block
    PO.write_text("\n\n".join(blocks), encoding="utf-8")
    for msgid in sorted(missing):
        print("not found:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
