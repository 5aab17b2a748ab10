#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""mkcert.py CA_DIR OUT_BASE KIND FROM_S TO_S IP [OUT_BASE KIND ...]:
certificates signed by CA_DIR/ca.crt (key CA_DIR/ca.key) with a validity
window relative to now (seconds, may be negative: -7200 -3600 is expired),
KIND agent (serverAuth, IP SAN = IP) or checker (clientAuth; IP "-").
Writes OUT_BASE.crt and .key.  For the fault-matrix rows dsrkit-pki cannot
make (expired, not yet valid); several in one process (python starts
slowly in a UML guest)."""
import datetime, ipaddress, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ca_dir = sys.argv[1]
ca = x509.load_pem_x509_certificate(open(ca_dir + "/ca.crt", "rb").read())
cak = serialization.load_pem_private_key(open(ca_dir + "/ca.key", "rb").read(), None)
args = sys.argv[2:]
while args:
    out, kind, frm, to, ip = args[:5]
    args = args[5:]
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, out.rsplit("/", 1)[-1])]))
         .issuer_name(ca.subject).public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now + datetime.timedelta(seconds=int(frm)))
         .not_valid_after(now + datetime.timedelta(seconds=int(to)))
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                      data_encipherment=False, key_agreement=True, key_cert_sign=False,
                                      crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH if kind == "agent"
                                               else ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False))
    if ip != "-":
        b = b.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]), critical=False)
    crt = b.sign(cak, hashes.SHA256())
    open(out + ".crt", "wb").write(crt.public_bytes(serialization.Encoding.PEM))
    open(out + ".key", "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
