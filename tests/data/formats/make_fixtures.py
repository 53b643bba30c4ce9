"""Make the binary fixtures of tests/test_ingest_formats.py that the tests cannot make
themselves. Run once by hand; the outputs are committed.

    pip install msoffcrypto-tool   # only for this script, not a dependency of the auditor
    python tests/data/formats/make_fixtures.py

* ``encrypted.xlsx`` – a one-sheet workbook saved with the opening password "secret"
  (ECMA-376 agile encryption: an OLE compound file with EncryptionInfo and
  EncryptedPackage streams, as Excel writes it).
"""

from __future__ import annotations

import io
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl

HERE = Path(__file__).resolve().parent


def encrypted_xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["项目名称", "机密项目"])
    plain = io.BytesIO()
    book.save(plain)
    plain.seek(0)
    out = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("secret", out)
    return out.getvalue()


if __name__ == "__main__":
    (HERE / "encrypted.xlsx").write_bytes(encrypted_xlsx())
    print("wrote", HERE / "encrypted.xlsx")
