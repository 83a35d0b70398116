#!/usr/bin/env bash
# XML signatures (XAdES-B-B / XAdES-T) and RFC 3161 timestamps (CAdES-T, XAdES-T), made through
# the virtual card and checked by software we did not write:
#   - xmlsec1 --verify (Debian xmlsec1) with the virtual card's root trusted accepts every signed
#     XML (enveloped, by Id, detached, XAdES-T) and refuses an edited one;
#   - openssl ts -verify accepts the embedded tokens (XAdES-T and CAdES-T), the XAdES data
#     canonicalised by lxml (PyPI), the CAdES data cut out at `openssl asn1parse`'s offsets;
#   - openssl cms -verify accepts the CAdES-T file;
#   - the local TSA (scripts/tsa/: openssl ts -reply behind an HTTP responder on 127.0.0.1)
#     serves the bad answers (wrong nonce, wrong imprint, untrusted TSA), each refused with its
#     typed reason, the B-B document kept.
# Plus the Rust suites: documents (xml, xml_c14n with the W3C vectors, timestamp) and the
# bindings' xml test. Installs what it needs; prints "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

passed=0
failed=0
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }

# --- tools -----------------------------------------------------------------------------------
missing=()
command -v xmlsec1 >/dev/null 2>&1 || missing+=(xmlsec1)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
pkg-config --exists libxml-2.0 2>/dev/null || missing+=(libxml2-dev)
ls /usr/lib/llvm-*/lib/libclang.so* /usr/lib/x86_64-linux-gnu/libclang*.so* >/dev/null 2>&1 ||
    missing+=(libclang-dev)
command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
VENV=$ROOT/target/tools/venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import lxml" 2>/dev/null || "$VENV/bin/pip" install -q "lxml==6.1.3"
echo "xmlsec1: $(xmlsec1 --version); $(openssl version); lxml $("$VENV/bin/python" -c 'import lxml; print(lxml.__version__)')"

# --- Rust suites -----------------------------------------------------------------------------
# One workspace build with one feature set, XML included (scripts/lib/cargo.sh).
# shellcheck source=lib/cargo.sh
source scripts/lib/cargo.sh
run_cargo() { # label, `cargo test` target args...
    local label=$1 log
    shift
    log=$(mktemp)
    if kazashi_cargo test "$@" 2>&1 | tee "$log" | grep -E "^test |test result" ; then :; fi
    local ok fail_count
    ok=$(grep -Eo "test result: [a-zA-Z]+\. [0-9]+ passed" "$log" | awk '{s += $4} END {print s + 0}')
    fail_count=$(grep -Eo "[0-9]+ failed" "$log" | awk '{s += $1} END {print s + 0}')
    if grep -q "^error" "$log" || [ "$fail_count" -gt 0 ] || [ "$ok" -eq 0 ]; then
        tail -40 "$log"
        fail "$label: cargo test ($ok passed, $fail_count failed)"
    else
        pass "$label: cargo test ($ok tests passed)"
    fi
    rm -f "$log"
}
run_cargo "documents xml/c14n/timestamp, bindings signXml/verifyXml" \
    --test xml --test xml_c14n --test timestamp
run_cargo "kazashi-server with xml: POST /v1/signatures/verify" --test signatures

# --- the CLI against the validators ------------------------------------------------------------
WORK=$(mktemp -d)
# A private copy of the CLI (built with XML by the workspace build), in case another suite
# rebuilds target/debug/kazashi meanwhile.
kazashi_cargo test -q --no-run
cp "$ROOT/target/debug/kazashi" "$WORK/kazashi"
K=$WORK/kazashi
TSA_PID=
cleanup() {
    if [ -n "$TSA_PID" ]; then kill "$TSA_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
python3 scripts/tsa/tsa.py "$WORK/tsa" --max-seconds 900 2>"$WORK/tsa.log" &
TSA_PID=$!
for _ in $(seq 1 600); do [ -s "$WORK/tsa/port" ] && break; sleep 0.1; done
[ -s "$WORK/tsa/port" ] || { cat "$WORK/tsa.log"; echo "the local TSA did not start"; exit 1; }
TSA="http://127.0.0.1:$(cat "$WORK/tsa/port")"
TSA_ROOT=$WORK/tsa/root.pem
cd "$WORK"

"$K" --virtual cert sign-ca --out card-root.der >/dev/null
openssl x509 -inform DER -in card-root.der -out card-root.pem
sign() { echo ABC123 | "$K" --virtual --pin-stdin sign "$@" >/dev/null 2>&1; }
XADES_ID="http://uri.etsi.org/01903/v1.3.2#:SignedProperties"
xmlsec() { xmlsec1 --verify --trusted-der card-root.der --id-attr:Id "$XADES_ID" "$@" 2>&1; }

cat >form.xml <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<申請書 xmlns="urn:example:application" version="1.0">
  <申請者><氏名>山田 太郎</氏名><住所>東京都千代田区1-1</住所></申請者>
  <内容 Id="body"><項目 name="amount">1200</項目></内容>
</申請書>
XML
printf '%%PDF-1.4 an attachment\n' >attachment.pdf
printf 'CAdES-T content\n' >doc.txt

check_xml() { # label, file, [xmlsec1 args...]
    local label=$1 file=$2 out
    shift 2
    if out=$(xmlsec "$@" "$file") && grep -q "^OK" <<<"$out"; then
        pass "xmlsec1 --verify accepts $label ($(grep -o 'References (ok/all): [0-9]*/[0-9]*' <<<"$out" | head -1))"
    else
        fail "xmlsec1 --verify refused $label: $out"
    fi
}
check_ours() { # label, kazashi verify args...
    local label=$1 out
    shift
    if out=$("$K" --json verify --trust-virtual-card "$@" 2>&1) && grep -q '"valid": true' <<<"$out"; then
        pass "kazashi verify accepts $label ($(grep -o '"level": "[^"]*"' <<<"$out"))"
    else
        fail "kazashi verify refused $label: $out"
    fi
}

sign form.xml --xml --out enveloped.xml && check_xml "an enveloped XAdES-B-B (URI=\"\")" enveloped.xml
check_ours "the enveloped signature" enveloped.xml
sign form.xml --xml --id body --out by-id.xml &&
    check_xml "a signature of the element Id=body" by-id.xml --id-attr:Id "urn:example:application:内容"
check_ours "the by-Id signature" by-id.xml
sign attachment.pdf --xml --detached --out attachment.pdf.xml &&
    check_xml "a detached signature of attachment.pdf" attachment.pdf.xml
check_ours "the detached signature" attachment.pdf.xml --content attachment.pdf
sign form.xml --xml --timestamp "$TSA/" --tsa-root "$TSA_ROOT" --out xades-t.xml &&
    check_xml "a XAdES-T signature" xades-t.xml
check_ours "the XAdES-T signature (TSA root given)" xades-t.xml --trust-root "$TSA_ROOT"

# An edited element: both refuse, ours with its reason.
sed 's/1200/9200/' enveloped.xml >edited.xml
if out=$(xmlsec edited.xml); then fail "xmlsec1 accepted an edited document"; else
    pass "xmlsec1 --verify refuses an edited element ($(grep -o 'failed to verify file' <<<"$out" | head -1))"
fi
out=$("$K" --json verify --trust-virtual-card edited.xml 2>&1 || true)
if grep -q '"kind": "content-mismatch"' <<<"$out"; then
    pass "kazashi verify refuses the edited element: content-mismatch"
else fail "kazashi verify on the edited element: $out"; fi
printf 'changed\n' >>attachment.pdf
if xmlsec attachment.pdf.xml >/dev/null; then fail "xmlsec1 accepted a changed attachment"; else
    pass "xmlsec1 --verify refuses the detached signature of a changed file"
fi

# The XAdES-T token: OpenSSL over the SignatureValue lxml canonicalises.
"$VENV/bin/python" "$ROOT/scripts/tsa/tokens.py" xades xades-t.xml xades.tst xades.data
if out=$(openssl ts -verify -token_in -in xades.tst -data xades.data -CAfile "$TSA_ROOT" 2>&1) &&
    grep -q "Verification: OK" <<<"$out"; then
    pass "openssl ts -verify accepts the XAdES-T token (over exc-c14n ds:SignatureValue)"
else fail "openssl ts -verify (XAdES-T): $out"; fi

# CAdES-T through the CLI: openssl cms -verify for the file, openssl ts -verify for the token.
sign doc.txt --cms --timestamp "$TSA/" --tsa-root "$TSA_ROOT" --out doc.p7s
if out=$(openssl cms -verify -binary -inform DER -in doc.p7s -content doc.txt -CAfile card-root.pem \
    -purpose any -out /dev/null 2>&1); then
    pass "openssl cms -verify accepts the CAdES-T file ($out)"
else fail "openssl cms -verify (CAdES-T): $out"; fi
"$VENV/bin/python" "$ROOT/scripts/tsa/tokens.py" cades doc.p7s cades.tst cades.data
if out=$(openssl ts -verify -token_in -in cades.tst -data cades.data -CAfile "$TSA_ROOT" 2>&1) &&
    grep -q "Verification: OK" <<<"$out"; then
    pass "openssl ts -verify accepts the CAdES-T signatureTimeStampToken"
else fail "openssl ts -verify (CAdES-T): $out"; fi
out=$("$K" --json verify --trust-virtual-card --trust-root "$TSA_ROOT" doc.p7s --content doc.txt 2>&1 || true)
if grep -q '"timestamp"' <<<"$out" && grep -q '"gen_time"' <<<"$out"; then
    pass "kazashi verify checks the CAdES-T token"
else fail "kazashi verify (CAdES-T): $out"; fi
out=$("$K" --json verify --trust-virtual-card doc.p7s --content doc.txt 2>&1 || true)
if grep -q '"kind": "malformed"' <<<"$out" && grep -q "untrusted-tsa" <<<"$out"; then
    pass "kazashi verify refuses a CAdES-T token whose TSA root was not given: untrusted-tsa"
else fail "kazashi verify (CAdES-T, no TSA root): $out"; fi

# Bad TSA answers: refused with the typed reason, the B-B file written and valid.
for case in "bad-nonce:wrong-nonce" "bad-imprint:wrong-imprint" "untrusted:untrusted-tsa" "reject:rejected"; do
    mode=${case%%:*}
    kind=${case#*:}
    rm -f bad.xml
    out=$(echo ABC123 | "$K" --virtual --pin-stdin --json sign form.xml --xml \
        --timestamp "$TSA/$mode" --tsa-root "$TSA_ROOT" --out bad.xml 2>&1 || true)
    if grep -q "($kind)" <<<"$out" && [ -s bad.xml ] && xmlsec bad.xml >/dev/null &&
        "$K" verify --trust-virtual-card bad.xml >/dev/null 2>&1; then
        pass "TSA $mode: refused as $kind; the XAdES-B-B file is kept and verifies"
    else fail "TSA $mode: $out"; fi
    rm -f bad.p7s
    out=$(echo ABC123 | "$K" --virtual --pin-stdin --json sign doc.txt --cms \
        --timestamp "$TSA/$mode" --tsa-root "$TSA_ROOT" --out bad.p7s 2>&1 || true)
    if grep -q "($kind)" <<<"$out" && [ -s bad.p7s ] &&
        "$K" verify --trust-virtual-card bad.p7s --content doc.txt >/dev/null 2>&1; then
        pass "TSA $mode (CMS): refused as $kind; the CAdES-BES file is kept and verifies"
    else fail "TSA $mode (CMS): $out"; fi
done
# OpenSSL agrees on the bad tokens it can judge from the token alone.
python3 - "$TSA/untrusted" >untrusted.tsr <<'PY'
import subprocess, sys, urllib.request
q = subprocess.run(["openssl", "ts", "-query", "-data", "doc.txt", "-sha256", "-cert"],
                   check=True, capture_output=True).stdout
req = urllib.request.Request(sys.argv[1], data=q, headers={"Content-Type": "application/timestamp-query"})
sys.stdout.buffer.write(urllib.request.urlopen(req).read())
PY
if openssl ts -verify -in untrusted.tsr -data doc.txt -CAfile "$TSA_ROOT" >/dev/null 2>&1; then
    fail "openssl ts -verify accepted a token from the untrusted TSA"
else pass "openssl ts -verify refuses the untrusted TSA's token too"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
