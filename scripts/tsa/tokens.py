#!/usr/bin/env python3
"""Pulls an embedded RFC 3161 token, and the bytes its imprint must hash, out of a signed file,
for `openssl ts -verify -token_in -in TOKEN -data DATA`. Test use only.

    tokens.py xades FILE.xml TOKEN DATA   # EncapsulatedTimeStamp; exc-c14n of ds:SignatureValue
    tokens.py cades FILE.p7s TOKEN DATA   # signatureTimeStampToken; the SignerInfo's signature

XAdES: lxml (PyPI, its own libxml2 build) parses and canonicalises, not Kazashi's code.
CAdES: the offsets come from `openssl asn1parse`; nothing here decodes ASN.1 itself.
"""

import base64
import re
import subprocess
import sys

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"


def xades(path, token_out, data_out):
    from lxml import etree

    doc = etree.parse(path)
    value = doc.find(f".//{{{DS}}}SignatureValue")
    stamp = doc.find(f".//{{{XADES}}}EncapsulatedTimeStamp")
    if value is None or stamp is None:
        sys.exit(f"{path}: no SignatureValue or EncapsulatedTimeStamp")
    with open(data_out, "wb") as f:
        f.write(etree.tostring(value, method="c14n", exclusive=True, with_comments=False))
    with open(token_out, "wb") as f:
        f.write(base64.b64decode("".join(stamp.text.split())))


LINE = re.compile(r"^\s*(\d+):d=\s*(\d+)\s+hl=\s*(\d+)\s+l=\s*(\d+)\s+(prim|cons):\s*(.*)$")


def cades(path, token_out, data_out):
    out = subprocess.run(["openssl", "asn1parse", "-inform", "DER", "-in", path],
                         check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            offset, depth, hl, length, _, rest = m.groups()
            rows.append((int(offset), int(depth), int(hl), int(length), rest.strip()))
    raw = open(path, "rb").read()
    attr = next(i for i, r in enumerate(rows) if "id-smime-aa-timeStampToken" in r[4])
    # The attribute's value: the SET after the OID, then the token (a SEQUENCE) inside it.
    token = rows[attr + 2]
    with open(token_out, "wb") as f:
        f.write(raw[token[0]:token[0] + token[2] + token[3]])
    # The SignerInfo's signature: the last OCTET STRING before the unsigned attributes [1].
    unsigned = max(i for i in range(attr) if rows[i][4].startswith("cont [ 1 ]"))
    signature = next(rows[i] for i in range(unsigned - 1, -1, -1)
                     if rows[i][4].startswith("OCTET STRING"))
    with open(data_out, "wb") as f:
        f.write(raw[signature[0] + signature[2]:signature[0] + signature[2] + signature[3]])


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] not in ("xades", "cades"):
        sys.exit(__doc__)
    {"xades": xades, "cades": cades}[sys.argv[1]](*sys.argv[2:])
