#!/usr/bin/env bash
# Install the system parts the tests use: Debian's Chromium (browser tests), STILTS
# (the IVOA validators taplint and votlint, run on the mirror), GAVO DaCHS with
# PostgreSQL 15 and pg_sphere (the local VO server of `astrolearn mirror`) and
# configurable-http-proxy from npm (the proxy of `astrolearn classroom`'s JupyterHub). Needs root; otherwise it only says what to install, and the
# tests that need a missing part are skipped (or fail under CI, where nothing may be
# skipped). Idempotent: a second run changes nothing.
set -euo pipefail
packages=(chromium fonts-dejavu-core stilts)
dachs_packages=(postgresql postgresql-15-pgsphere postgresql-15-q3c gavodachs2-server)

# JupyterHub's proxy, pinned; npm installs it with its dependencies under /usr/local.
proxy=configurable-http-proxy@5.3.0

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
proxy_installed() { [ "$(configurable-http-proxy --version 2>/dev/null)" = "${proxy#*@}" ]; }

missing=()
for p in "${packages[@]}" "${dachs_packages[@]}"; do
  installed "$p" || missing+=("$p")
done

proxy_installed || missing+=("$proxy (npm)")

if [ "$(id -u)" -ne 0 ]; then
  if [ ${#missing[@]} -eq 0 ]; then echo "system parts: all installed"; exit 0; fi
  echo "system parts missing: ${missing[*]}"
  echo "install them with:  sudo bash tools/install-system.sh"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
fi
tools_missing=()
for p in "${packages[@]}"; do installed "$p" || tools_missing+=("$p"); done
if [ ${#tools_missing[@]} -gt 0 ]; then
  apt-get install -y -qq "${tools_missing[@]}" >/dev/null
fi

# --- configurable-http-proxy (owned by widgets/astrolearn/classroom) ----------------
#
# From npm, as JupyterHub's own documentation installs it: Debian has no package of it.
# Installed once for the machine, on the PATH where `astrolearn classroom init` finds
# it, so that making a classroom needs no network. It runs on Node.js 18 or newer (npm
# warns about its declared engine only); Debian's nodejs is used when there is none.
if ! proxy_installed; then
  command -v npm >/dev/null || apt-get install -y -qq nodejs npm >/dev/null
  npm install --global --prefix /usr/local --no-fund --no-audit --loglevel=error "$proxy" >/dev/null
fi

# --- GAVO DaCHS (owned by the VO layer, see widgets/astrolearn/vo/README.md) ---------
#
# pg_sphere vs PostgreSQL 15.20: the 15.20 security update backported PostgreSQL 17's
# stricter operator check ("commutator operator @> is already the commutator of
# operator <@"), so `CREATE EXTENSION pg_sphere` of bookworm's pgsphere 1.1.1 fails and
# with it DaCHS's post-install `dachs init` (postgrespro/pgsphere issues 85 and 92).
# We PATCH rather than pin 15.18: pinning would hold back a security update, and a
# Debian point release removes the old version from the archive, so a pin would stop
# installing on fresh machines. The patch only drops the COMMUTATOR/NEGATOR clauses of
# the two legacy `@` operators (bigint @ smoc, spoint @ smoc) kept "for GAVO DaCHS";
# upstream removed these operators altogether (issue 85) because DaCHS no longer uses
# them. The same `<@` operators with correct clauses remain. Re-run this script if a
# package upgrade restores the original SQL files.
patch_pgsphere() {
  local file
  for file in /usr/share/postgresql/*/extension/pg_sphere--*.sql; do
    [ -e "$file" ] || continue
    perl -0pi -e "s/(CREATE OPERATOR @ \(\n\s*LEFTARG\s*=\s*(?:bigint|spoint),\n\s*RIGHTARG\s*=\s*smoc,\n\s*PROCEDURE\s*=\s*\w+,\n)\s*COMMUTATOR\s*=\s*'\@>',\n\s*NEGATOR\s*=\s*'!<\@',\n/\$1/g" "$file"
  done
}

start_postgresql() {
  # Nothing starts PostgreSQL without systemd (containers, CI): start stopped clusters.
  pg_lsclusters --no-header 2>/dev/null | while read -r version cluster _port state _rest; do
    [ "$state" = down ] && pg_ctlcluster "$version" "$cluster" start
  done || true
}

dachs_missing=()
for p in "${dachs_packages[@]}"; do installed "$p" || dachs_missing+=("$p"); done
if [ ${#dachs_missing[@]} -gt 0 ]; then
  apt-get install -y -qq postgresql postgresql-15-pgsphere postgresql-15-q3c >/dev/null
fi
patch_pgsphere
start_postgresql
if ! installed gavodachs2-server; then
  # Its post-install step (`dachs init`) needs the running, patched PostgreSQL.
  apt-get install -y -qq gavodachs2-server >/dev/null || dpkg --configure -a
fi
# A post-install that failed before the patch (an earlier run) is finished now.
if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_extension WHERE extname='pg_sphere'\" gavo" 2>/dev/null | grep -q 1; then
  dpkg --configure -a
  su postgres -c "psql -tAc \"SELECT 1 FROM pg_extension WHERE extname='pg_sphere'\" gavo" | grep -q 1 ||
    dachs init
fi
# Serve on loopback only, with URLs that name 127.0.0.1 (not "localhost", which may
# resolve to ::1 while DaCHS listens on IPv4): async TAP job URLs must be reachable.
if [ ! -e /etc/gavo.rc ]; then
  cat >/etc/gavo.rc <<'EOF'
[web]
sitename: astrolearn VO mirror
serverURL: http://127.0.0.1:8080
bindAddress: 127.0.0.1
serverPort: 8080
EOF
fi
# The site's name is what VO clients and the validators show for the mirror's services
# (DaCHS's default is "Unnamed data center"); add it to a file from an older set-up.
grep -q '^sitename:' /etc/gavo.rc || sed -i '/^\[web\]/a sitename: astrolearn VO mirror' /etc/gavo.rc
echo "system parts: installed (DaCHS $(dpkg-query -W -f='${Version}' gavodachs2-server)," \
  "PostgreSQL $(dpkg-query -W -f='${Version}' postgresql-15)," \
  "configurable-http-proxy $(configurable-http-proxy --version))"
