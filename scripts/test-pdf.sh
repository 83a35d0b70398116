#!/usr/bin/env bash
# PDF signatures (PAdES B-B and B-T) made through the virtual card, checked by software we did
# not write: poppler's pdfsig (with the virtual card's test root in a throw-away NSS database),
# pyHanko (`pyhanko sign validate`, the test root as the only trust anchor), and qpdf --check.
# Inputs come from three producers made at test time: reportlab (Japanese text in the standard
# CID font HeiseiMin-W3), qpdf (object streams and a cross-reference stream) and Ghostscript;
# and a PDF already signed by pyHanko. Negative cases: a byte changed inside the byte range,
# /Contents padding changed (outside it), an unsigned revision appended, an untrusted signer,
# and a failing TSA.
#
# Installs what is missing: Debian poppler-utils, poppler-data and a Japanese font (to render
# the visible box), qpdf, libnss3-tools, ghostscript, openssl;
# pyHanko and reportlab from PyPI into target/tools/venv (pinned).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT_DIR=$PWD

PYHANKO_VERSION=0.38.0
PYHANKO_CLI_VERSION=0.6.0
REPORTLAB_VERSION=4.4.10

missing=()
command -v pdfsig >/dev/null || missing+=(poppler-utils)
command -v qpdf >/dev/null || missing+=(qpdf)
command -v certutil >/dev/null || missing+=(libnss3-tools)
command -v gs >/dev/null || missing+=(ghostscript)
command -v openssl >/dev/null || missing+=(openssl)
[ -d /usr/share/poppler/cMap/Adobe-Japan1 ] || missing+=(poppler-data)
fc-list :lang=ja 2>/dev/null | grep -q . || missing+=(fonts-ipafont-mincho)
if [ ${#missing[@]} -gt 0 ]; then
    echo "test-pdf: installing ${missing[*]}"
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi
VENV=target/tools/venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
if ! "$VENV/bin/python" -c "import pyhanko, pyhanko.cli, reportlab" 2>/dev/null; then
    echo "test-pdf: installing pyHanko $PYHANKO_VERSION and reportlab $REPORTLAB_VERSION into $VENV"
    "$VENV/bin/pip" install -q "pyhanko==$PYHANKO_VERSION" "pyhanko-cli==$PYHANKO_CLI_VERSION" \
        "reportlab==$REPORTLAB_VERSION"
fi
PY="$PWD/$VENV/bin/python"
PYHANKO="$PWD/$VENV/bin/pyhanko"

WORK=$(mktemp -d)
TSA_PID=
cleanup() {
    [ -n "$TSA_PID" ] && kill "$TSA_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "test-pdf: cargo test (signing, verification, B-T against the local TSA)"
# shellcheck source=lib/cargo.sh
source scripts/lib/cargo.sh
KAZASHI_PDF_ARTIFACTS="$WORK" kazashi_cargo test -q --test pdf --test pdf_timestamp 2>&1 \
    | grep -E "^test result"
kazashi_cargo test -q --no-run   # the `kazashi` binary below
K="$PWD/target/debug/kazashi"
cd "$WORK"
passed=0
fail() { echo "FAIL: $*"; exit 1; }
ok() { passed=$((passed + 1)); echo "ok   $*"; }

# --- Trust: the virtual card's signing root, in PEM, an NSS database, and an unrelated root.
"$K" --virtual cert sign-ca --pem --out root.pem >/dev/null
mkdir nss empty-nss
certutil -N -d sql:nss --empty-password
certutil -A -d sql:nss -n kazashi-virtual-card-test-root -t "C,C,C" -i root.pem
certutil -N -d sql:empty-nss --empty-password
openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 30 \
    -subj "/CN=Unrelated root" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout foreign.key -out foreign.csr -subj "/CN=Another signer" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n' >foreign.ext
openssl x509 -req -in foreign.csr -CA other.pem -CAkey other.key -CAcreateserial -days 20 \
    -extfile foreign.ext -out foreign.pem 2>/dev/null

# --- Inputs from three producers.
cat >reportlab_ja.py <<'PY'
import sys
from reportlab.pdfgen import canvas
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
c = canvas.Canvas(sys.argv[1])
c.setTitle("申請書")
c.setFont("HeiseiMin-W3", 18)
c.drawString(72, 760, "電子申請書（テスト）")
c.drawString(72, 730, "氏名: 山田 太郎 / Yamada Taro")
c.showPage()
c.setFont("HeiseiMin-W3", 12)
c.drawString(72, 760, "二ページ目: 添付書類")
c.save()
PY
"$PY" reportlab_ja.py reportlab.pdf
qpdf --object-streams=generate reportlab.pdf objstm.pdf
grep -aq "/ObjStm" objstm.pdf && grep -aq "/XRef" objstm.pdf || fail "qpdf did not make object and xref streams"
cat >doc.ps <<'PS'
%!PS
/Helvetica findfont 20 scalefont setfont
72 720 moveto (Application form, made by Ghostscript) show
72 690 moveto (Second line of the document) show
showpage
PS
gs -q -dNOPAUSE -dBATCH -sDEVICE=pdfwrite -sOutputFile=ghostscript.pdf doc.ps
"$PYHANKO" sign addsig --field ForeignSig pemder --key foreign.key --cert foreign.pem --chain other.pem --no-pass \
    reportlab.pdf foreign-signed.pdf >/dev/null 2>&1 || fail "pyHanko could not sign the control file"
for f in reportlab objstm ghostscript foreign-signed; do
    head -c 5 "$f.pdf" | grep -q "%PDF-" || fail "$f.pdf is not a PDF"
done
ok "inputs: reportlab (Japanese), qpdf object streams + xref stream, Ghostscript, pyHanko-signed"

sign() { # in out [options...]
    local in=$1 out=$2
    shift 2
    echo ABC123 | "$K" --virtual --pin-stdin --json sign "$in" --pdf --out "$out" "$@" >"$out.json" \
        || { cat "$out.json"; fail "kazashi sign $in"; }
}

# pdfsig: every signature valid; signature 1 (and every one, when alone in the file) trusted.
# pdfsig 22.12 reports "Unknown issue with Certificate" for a later signature by the same
# certificate in one run; it does the same on a file pyHanko signs twice (checked below), so
# trust of later signatures is asserted by pyHanko.
check_pdfsig() { # file count
    local out
    out=$(pdfsig -nssdir "sql:$PWD/nss" "$1" 2>&1) || true
    [ "$(grep -c "Signature Validation: Signature is Valid." <<<"$out")" = "$2" ] \
        || { echo "$out"; fail "pdfsig: not $2 valid signatures in $1"; }
    grep -m1 "Certificate Validation" <<<"$out" | grep -q "Certificate is Trusted." \
        || { echo "$out"; fail "pdfsig: first signature's certificate not trusted in $1"; }
    if [ "$2" = 1 ]; then
        grep -q "Total document signed" <<<"$out" || { echo "$out"; fail "pdfsig: $1 not totally signed"; }
    fi
}
check_pyhanko() { # file count [more --trust files]
    local file=$1 count=$2 out
    shift 2
    local trust=(--trust root.pem)
    for t in "$@"; do trust+=(--trust "$t"); done
    out=$("$PYHANKO" sign validate "${trust[@]}" --trust-replace --no-revocation-check --pretty-print "$file" 2>&1) \
        || { echo "$out"; fail "pyHanko rejected $file"; }
    [ "$(grep -c "The signature is judged VALID" <<<"$out")" = "$count" ] \
        || { echo "$out"; fail "pyHanko: not $count valid signatures in $file"; }
    [ "$(grep -c "The signer's certificate is trusted" <<<"$out")" -ge 1 ] || fail "pyHanko: untrusted in $file"
    echo "$out" >"$file.pyhanko.txt"
}
check_qpdf() {
    qpdf --check "$1" >/dev/null 2>&1 || { qpdf --check "$1"; fail "qpdf --check $1"; }
}
check_ours() { # file count
    local out
    out=$("$K" --json verify "$1" --trust-virtual-card) || { echo "$out"; fail "kazashi verify $1"; }
    [ "$("$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["signatures"]))' <<<"$out")" = "$2" ] \
        || fail "kazashi verify: not $2 signatures in $1"
}
check_all() { # file count
    check_pdfsig "$1" "$2"
    check_pyhanko "$1" "$2"
    check_qpdf "$1"
    check_ours "$1" "$2"
    ok "$1: $2 signature(s) valid for pdfsig, pyHanko, qpdf --check and kazashi verify"
}

# --- B-B on each producer's file, invisible and visible.
sign reportlab.pdf reportlab-signed.pdf --reason "申請書の提出" --location "東京都"
cmp -n "$(stat -c %s reportlab.pdf)" reportlab.pdf reportlab-signed.pdf || fail "original bytes changed"
ok "incremental update: the original bytes are untouched"
check_all reportlab-signed.pdf 1
sign objstm.pdf objstm-signed.pdf
check_all objstm-signed.pdf 1
sign ghostscript.pdf ghostscript-signed.pdf --visible 1,300,60,240,70 --reason "承認"
check_all ghostscript-signed.pdf 1
# The visible box renders: poppler (with poppler-data's Adobe-Japan1 CMaps and a CJK font)
# draws the text inside the box, and reports no missing font or CMap.
pdftoppm -r 72 -gray -f 1 -l 1 ghostscript-signed.pdf page >render.log 2>&1
! grep -qi "cmap\|couldn't find a font\|error" render.log || { cat render.log; fail "poppler could not render the box"; }
height=$(pdfinfo ghostscript-signed.pdf | awk '/Page size/ {print $5}')
dark=$("$PY" - page-1.pgm "$height" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
w, h = map(int, data.split(b"\n", 3)[1].split())  # P5 / width height / maxval / pixels
pixels = data[len(data) - w * h:]
top = round(float(sys.argv[2]) - 60 - 70)
box = [pixels[y * w + x] for y in range(top + 4, top + 66) for x in range(304, 536)]
print(sum(1 for v in box if v < 128) * 1000 // len(box))
PY
)
[ "$dark" -ge 20 ] || fail "the visible box is empty when rendered (dark pixels: $dark per mille)"
ok "visible signature: poppler renders the Japanese text in the box ($dark per mille dark pixels)"
sign reportlab.pdf certified.pdf --certify 2
check_all certified.pdf 1
level=$("$PY" -c 'import sys
from pyhanko.pdf_utils.reader import PdfFileReader
print(PdfFileReader(open(sys.argv[1], "rb")).embedded_signatures[0].docmdp_level)' certified.pdf)
[ "$level" = "MDPPerm.FILL_FORMS" ] || fail "pyHanko reads the certification level as $level"
ok "certified signature: pyHanko reads DocMDP $level (P=2)"
sign reportlab.pdf certified-p1.pdf --certify 1
sign certified-p1.pdf certified-p1-twice.pdf
if "$K" verify certified-p1-twice.pdf --trust-virtual-card >p1.out 2>&1; then fail "we accepted a change after P=1"; fi
grep -q "modified-after-signing" p1.out || { cat p1.out; fail "our reason for the P=1 case"; }
out=$("$PYHANKO" sign validate --trust root.pem --trust-replace --no-revocation-check --pretty-print certified-p1-twice.pdf 2>&1) || true
grep -q "incompatible with the current document modification policy" <<<"$out" || { echo "$out"; fail "pyHanko accepted a change after P=1"; }
ok "a signature added after a P=1 certification: rejected by us (modified-after-signing) and by pyHanko (incompatible with the modification policy)"

# --- A second Kazashi signature leaves the first valid.
sign reportlab-signed.pdf twice.pdf --visible 2,72,600,220,60
check_all twice.pdf 2
sign objstm-signed.pdf objstm-twice.pdf
check_all objstm-twice.pdf 2
sign certified.pdf certified-twice.pdf
check_all certified-twice.pdf 2
# The pdfsig behaviour on a same-certificate second signature, on pyHanko's own file.
"$PYHANKO" sign addsig --field Again pemder --key foreign.key --cert foreign.pem --chain other.pem --no-pass \
    foreign-signed.pdf foreign-twice.pdf >/dev/null 2>&1
mkdir other-nss
certutil -N -d sql:other-nss --empty-password
certutil -A -d sql:other-nss -n other -t "C,C,C" -i other.pem
out=$(pdfsig -nssdir "sql:$PWD/other-nss" foreign-twice.pdf 2>&1) || true
grep -m1 "Certificate Validation" <<<"$out" | grep -q "Certificate is Trusted." || { echo "$out"; fail "pdfsig control"; }
ok "control, pyHanko signing twice with one certificate: pdfsig says $(grep "Certificate Validation" <<<"$out" | sed 's/.*: //' | paste -sd '|')"

# --- An already-signed PDF (pyHanko's signature, another signer) signed again by Kazashi.
sign foreign-signed.pdf foreign-then-kazashi.pdf
out=$("$PYHANKO" sign validate --trust root.pem --trust other.pem --trust-replace --no-revocation-check \
    --pretty-print foreign-then-kazashi.pdf 2>&1) || { echo "$out"; fail "pyHanko: foreign + Kazashi"; }
[ "$(grep -c "judged VALID" <<<"$out")" = 2 ] || { echo "$out"; fail "pyHanko: foreign + Kazashi not both valid"; }
out=$(pdfsig "foreign-then-kazashi.pdf" 2>&1) || true
[ "$(grep -c "Signature is Valid." <<<"$out")" = 2 ] || { echo "$out"; fail "pdfsig: foreign + Kazashi"; }
check_qpdf foreign-then-kazashi.pdf
ok "a PDF signed by pyHanko, then by Kazashi: both signatures valid (pyHanko, pdfsig, qpdf)"

# --- Negative: a byte changed inside the byte range (the reportlab producer string).
"$PY" - reportlab-signed.pdf inside.pdf <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
i = data.index(b"ReportLab")
data[i + 8] ^= 0x01
open(sys.argv[2], "wb").write(data)
PY
if "$K" verify inside.pdf --trust-virtual-card >inside.out 2>&1; then fail "we accepted inside.pdf"; fi
grep -q "content does not match\|ContentMismatch\|signed content" inside.out || { cat inside.out; fail "our reason for inside.pdf"; }
out=$(pdfsig -nssdir "sql:$PWD/nss" inside.pdf 2>&1) || true
grep -q "Digest Mismatch" <<<"$out" || { echo "$out"; fail "pdfsig accepted inside.pdf"; }
if "$PYHANKO" sign validate --trust root.pem --trust-replace --no-revocation-check inside.pdf >/dev/null 2>&1; then
    fail "pyHanko accepted inside.pdf"
fi
ok "a byte changed inside the byte range: rejected by us ($(head -c 120 inside.out)…), pdfsig (Digest Mismatch), pyHanko"

# --- Negative: /Contents padding changed (outside the byte range).
"$PY" - reportlab-signed.pdf padding.pdf <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
i = data.rindex(b"00>")
data[i + 1] = ord("1")
open(sys.argv[2], "wb").write(data)
PY
if "$K" verify padding.pdf --trust-virtual-card >padding.out 2>&1; then fail "we accepted padding.pdf"; fi
grep -q "contents-altered" padding.out || { cat padding.out; fail "our reason for padding.pdf"; }
if "$PYHANKO" sign validate --trust root.pem --trust-replace --no-revocation-check padding.pdf >padding.ph 2>&1; then
    PH_PADDING="accepted (pyHanko decodes the DER and ignores what follows)"
else
    PH_PADDING="rejected"
fi
out=$(pdfsig -nssdir "sql:$PWD/nss" padding.pdf 2>&1) || true
PDFSIG_PADDING=$(grep -m1 "Signature Validation" <<<"$out" | sed 's/.*: //')
ok "/Contents padding changed: rejected by us (contents-altered); pyHanko: $PH_PADDING; pdfsig: $PDFSIG_PADDING"

# --- Negative: an unsigned revision appended after the signature (pyHanko's writer).
"$PY" - reportlab-signed.pdf appended.pdf <<'PY'
import sys
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils import generic
with open(sys.argv[1], "rb") as f:
    w = IncrementalPdfFileWriter(f)
    page = w.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 30 Tf 72 400 Td (PAID) Tj ET")
    page["/Contents"] = w.add_object(stream)
    w.update_container(page)
    with open(sys.argv[2], "wb") as out:
        w.write(out)
PY
if "$K" verify appended.pdf --trust-virtual-card >appended.out 2>&1; then fail "we accepted appended.pdf"; fi
grep -q "modified-after-signing" appended.out || { cat appended.out; fail "our reason for appended.pdf"; }
out=$(pdfsig -nssdir "sql:$PWD/nss" appended.pdf 2>&1) || true
grep -q "Not total document signed" <<<"$out" || { echo "$out"; fail "pdfsig did not see the appended revision"; }
if "$PYHANKO" sign validate --trust root.pem --trust-replace --no-revocation-check appended.pdf >appended.ph 2>&1; then
    cat appended.ph; fail "pyHanko accepted a page content change after signing"
fi
ok "an unsigned revision after the signature: rejected by us (modified-after-signing), pdfsig (Not total document signed), pyHanko"
sign appended.pdf hidden.pdf
if "$K" verify hidden.pdf --trust-virtual-card >hidden.out 2>&1; then fail "we accepted hidden.pdf"; fi
grep -q "modified-after-signing" hidden.out || { cat hidden.out; fail "our reason for hidden.pdf"; }
out=$("$PYHANKO" sign validate --trust root.pem --trust-replace --no-revocation-check --pretty-print hidden.pdf 2>&1) || true
[ "$(grep -c "judged VALID" <<<"$out")" -lt 2 ] || { echo "$out"; fail "pyHanko accepted both signatures of hidden.pdf"; }
ok "a page change made before a second Kazashi signature: the first rejected by us (modified-after-signing) and by pyHanko"

# --- Negative: an untrusted signer (wrong trust anchor).
if "$K" verify reportlab-signed.pdf >untrusted.out 2>&1; then fail "we accepted a signer outside the production roots"; fi
out=$(pdfsig -nssdir "sql:$PWD/empty-nss" reportlab-signed.pdf 2>&1) || true
grep -q "Certificate Validation: Certificate is Trusted" <<<"$out" && fail "pdfsig trusted an unknown issuer"
if "$PYHANKO" sign validate --trust other.pem --trust-replace --no-revocation-check reportlab-signed.pdf >/dev/null 2>&1; then
    fail "pyHanko trusted the signer under another root"
fi
ok "a signer that chains to no trusted root: rejected by us ($(head -c 100 untrusted.out)…), pdfsig ($(grep -m1 "Certificate Validation" <<<"$out" | sed 's/.*: //')), pyHanko"

# --- Negative: another card's certificate swapped into the CMS (made by the Rust test).
openssl x509 -inform DER -in other-card-root.der -out other-card-root.pem
out=$(pdfsig swapped-certificate.pdf 2>&1) || true
grep -q "Signature Validation: Signature is Valid." <<<"$out" && { echo "$out"; fail "pdfsig accepted the swapped certificate"; }
PDFSIG_SWAPPED=$(grep -m1 "Signature Validation" <<<"$out" | sed 's/.*: //')
if "$PYHANKO" sign validate --trust root.pem --trust other-card-root.pem --trust-replace --no-revocation-check \
    swapped-certificate.pdf >swapped.ph 2>&1; then
    cat swapped.ph; fail "pyHanko accepted the swapped certificate"
fi
ok "another card's certificate in the CMS: rejected by us (SignerMismatch/BadSignature, Rust test), pdfsig ($PDFSIG_SWAPPED), pyHanko"

# --- B-T against the local test TSA (scripts/tsa/tsa.py: openssl ts -reply on 127.0.0.1).
python3 "$OLDPWD/scripts/tsa/tsa.py" tsa --max-seconds 600 >tsa.log 2>&1 &
TSA_PID=$!
for _ in $(seq 1 100); do [ -s tsa/port ] && break; sleep 0.2; done
[ -s tsa/port ] || { cat tsa.log; fail "the local TSA did not start"; }
TSA="http://127.0.0.1:$(cat tsa/port)"
sign reportlab.pdf b-t.pdf --timestamp "$TSA/" --tsa-root tsa/root.pem
grep -q '"level": "PAdES-B-T"' b-t.pdf.json || { cat b-t.pdf.json; fail "not B-T"; }
check_pdfsig b-t.pdf 1
check_pyhanko b-t.pdf 1 tsa/root.pem
grep -q "^Signature timestamp token:" b-t.pdf.pyhanko.txt || fail "pyHanko saw no signature timestamp"
grep -q "The timestamp token is cryptographically sound." b-t.pdf.pyhanko.txt \
    && grep -q "The TSA certificate is trusted." b-t.pdf.pyhanko.txt \
    || { cat b-t.pdf.pyhanko.txt; fail "pyHanko did not validate the timestamp"; }
check_qpdf b-t.pdf
out=$("$K" --json verify b-t.pdf --trust-virtual-card --trust-root tsa/root.pem)
grep -q '"trusted": true' <<<"$out" || { echo "$out"; fail "kazashi verify: timestamp not trusted"; }
ok "PAdES B-T: token accepted by pyHanko and kazashi verify; pdfsig and qpdf accept the file"
sign b-t.pdf b-t-twice.pdf --timestamp "$TSA/" --tsa-root tsa/root.pem
check_pyhanko b-t-twice.pdf 2 tsa/root.pem
ok "a second B-T signature leaves the first valid (pyHanko)"
if echo ABC123 | "$K" --virtual --pin-stdin sign reportlab.pdf --pdf --out tsa-failed.pdf \
    --timestamp "$TSA/untrusted" --tsa-root tsa/root.pem >tsa-failed.out 2>&1; then
    fail "an untrusted TSA was accepted"
fi
grep -q "PAdES B-B" tsa-failed.out || { cat tsa-failed.out; fail "the TSA failure does not say the B-B PDF was kept"; }
check_all tsa-failed.pdf 1
ok "an untrusted TSA after the tap: a clear error, and the B-B PDF written and valid"

# The figures (a report, not a test): bytes added per signature, APDUs per signing, host time
# for 1 MB and 50 MB PDFs.
cd "$ROOT_DIR"
kazashi_bench pdf -q

echo "test-pdf: $passed passed"
