"""Folds the Welsh translation parts (isa/translations/cy/parts/*.po) into the one catalogue.

Used while several people translate at once: each writes the Welsh for their own area in a part
of their own, and this re-extracts the messages, fills every message still empty in
messages.po from the parts, and compiles. Run: .venv/bin/python scripts/welsh_parts.py
"""
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "isa/translations/cy/LC_MESSAGES/messages.po"
BIN = Path(sys.executable).parent



def trimmed(text):
    """As Jinja's `trimmed` makes a message: line breaks and the space around them one space."""
    if isinstance(text, (tuple, list)):
        return type(text)(trimmed(t) for t in text)
    return re.sub(r"\s*\n\s*", " ", text.strip())


subprocess.run(["make", "-s", "messages"], cwd=ROOT, check=True, capture_output=True)
with CATALOGUE.open("rb") as f:
    catalogue = read_po(f, locale="cy")
known = {}
for part in sorted((ROOT / "isa/translations/cy/parts").glob("*.po")):
    with part.open("rb") as f:
        for message in read_po(f, locale="cy"):
            if message.id and message.string and (not isinstance(message.string, tuple) or all(message.string)):
                known.setdefault(message.id, message.string)
                known.setdefault(trimmed(message.id), trimmed(message.string))
missing = []
for message in catalogue:
    if not message.id:
        continue
    empty = not message.string or (isinstance(message.string, tuple) and not all(message.string))
    if message.id in known:  # the parts are where the Welsh is written while they exist
        message.string = known[message.id]
    elif empty:
        missing.append(message.id)
with CATALOGUE.open("wb") as f:
    write_po(f, catalogue, width=100, omit_header=False, ignore_obsolete=True)
subprocess.run([BIN / "pybabel", "compile", "-d", ROOT / "isa/translations"], check=True, capture_output=True)
print(f"{len(missing)} messages without Welsh")
for m in missing:
    print("  ", m if isinstance(m, str) else m[0])
