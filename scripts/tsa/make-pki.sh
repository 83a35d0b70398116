#!/usr/bin/env bash
# Makes a throw-away PKI for the local test TSA in DIR (never used outside the tests):
#   root.pem / root.der         the test TSA root CA (what clients trust, --tsa-root)
#   tsa.pem, tsa.key            the TSA certificate: extendedKeyUsage critical, timeStamping only
#   other-root.pem, other-tsa.* a TSA under another root (the "untrusted TSA" case)
#   no-eku-tsa.*, weak-eku-tsa.* certificates under the trusted root without the timeStamping
#                               EKU, or with it not critical (OpenSSL will not sign with them:
#                               the unit tests of the EKU check read them)
#   tsa.cnf                     the `openssl ts -reply` configuration (sections per responder mode)
set -euo pipefail
dir=${1:?usage: make-pki.sh DIR}
mkdir -p "$dir"
cd "$dir"
[ -f tsa.cnf ] && exit 0

ca() { # name subject
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days 3650 -sha256 \
    -subj "$2" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl x509 -in "$1.pem" -outform DER -out "$1.der"
}
leaf() { # name subject issuer eku-line
  openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n%s\n' "$4" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 3650 -sha256 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  openssl x509 -in "$1.pem" -outform DER -out "$1.der"
}

ca root "/C=JP/O=Kazashi test/CN=Kazashi test TSA root"
ca other-root "/C=JP/O=Somebody else/CN=Untrusted TSA root"
leaf tsa "/C=JP/O=Kazashi test/CN=Kazashi test TSA" root "extendedKeyUsage=critical,timeStamping"
leaf other-tsa "/C=JP/O=Somebody else/CN=Untrusted TSA" other-root "extendedKeyUsage=critical,timeStamping"
leaf no-eku-tsa "/C=JP/O=Kazashi test/CN=TSA without timeStamping" root "extendedKeyUsage=emailProtection"
leaf weak-eku-tsa "/C=JP/O=Kazashi test/CN=TSA with a non-critical EKU" root "extendedKeyUsage=timeStamping"
echo 01 >serial

section() { # name signer ess-alg digests chain
  cat <<SECTION
[ $1 ]
dir = $PWD
serial = \$dir/serial
crypto_device = builtin
signer_cert = \$dir/$2.pem
certs = \$dir/$5.pem
signer_key = \$dir/$2.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1.1
digests = $4
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = $3

SECTION
}
{
  printf '[ tsa ]\ndefault_tsa = ok\n\n'
  section ok tsa sha256 "sha256, sha384, sha512" root
  section ess-v1 tsa sha1 "sha256, sha384, sha512" root
  section untrusted other-tsa sha256 "sha256, sha384, sha512" other-root
  section reject tsa sha256 "sha512" root
} >tsa.cnf
