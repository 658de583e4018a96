#!/usr/bin/env bash
# What the test suite needs besides npm packages, installed and started if missing (idempotent).
# Called by `npm test`; needs root for apt-get on a fresh machine.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)          # console end-to-end tests
command -v pg_dump >/dev/null 2>&1 || need+=(postgresql-client)  # database dump checks
# Real protocol peers: Apache as OIDC and SAML relying party, xmlsec1 as a second opinion on
# signatures, Samba as the Active Directory domain controller, libfido2's tools for security keys.
command -v apache2 >/dev/null 2>&1 || need+=(apache2)
[ -e /usr/lib/apache2/modules/mod_auth_openidc.so ] || need+=(libapache2-mod-auth-openidc)
[ -e /usr/lib/apache2/modules/mod_auth_mellon.so ] || need+=(libapache2-mod-auth-mellon)
command -v xmlsec1 >/dev/null 2>&1 || need+=(xmlsec1)
command -v samba >/dev/null 2>&1 || need+=(samba samba-ad-dc samba-ad-provision winbind)
command -v ldbsearch >/dev/null 2>&1 || need+=(ldb-tools)
command -v smbclient >/dev/null 2>&1 || need+=(smbclient)
command -v fido2-cred >/dev/null 2>&1 || need+=(fido2-tools)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)      # scrapes /metrics; promtool lints it
# rsyslog receives forwarded audit events over TCP and TLS (gnutls driver) in RFC 5424 form.
command -v rsyslogd >/dev/null 2>&1 || need+=(rsyslog)
[ -e /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so ] || need+=(rsyslog-gnutls)
command -v haproxy >/dev/null 2>&1 || need+=(haproxy)            # the reference load balancer (test/ha-cluster)
# libfaketime moves a peer's clock (an SP reading saved IdP metadata 30 days on); pysaml2 is an
# SP library that drops metadata past validUntil.
[ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || need+=(faketime)
[ -e /usr/lib/python3/dist-packages/saml2/mdstore.py ] || need+=(python3-pysaml2)
if [ ${#need[@]} -gt 0 ]; then
  echo "test setup: installing ${need[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# PostgreSQL (storage tests run on it as well as on PGlite) and Redis, on 127.0.0.1.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "test setup: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "test setup: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
