#!/usr/bin/env bash
# Make sure what the test suite talks to is there: a PostgreSQL server on
# 127.0.0.1:5432 (trust auth, database `test`) and Debian's chromium for the
# browser tests, and poppler-utils for the PDF tests. Uses what is running; otherwise, as root with apt-get,
# installs from Debian's packages and starts it. Without root it only says
# what is missing: the suite then runs on SQLite and reports what it skipped.
set -uo pipefail

say() { printf 'services: %s\n' "$*"; }
as_root() { [ "$(id -u)" = 0 ]; }
apt_install() {
    if ! as_root || ! command -v apt-get >/dev/null; then
        say "cannot install $* (needs root and apt-get)"
        return 1
    fi
    if [ -z "${_APT_UPDATED:-}" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
        _APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_up() {
    command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432
}

# -- PostgreSQL ---------------------------------------------------------------------
if pg_up; then
    say "PostgreSQL is running on 127.0.0.1:5432"
else
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
        say "installing PostgreSQL from Debian's packages"
        apt_install postgresql postgresql-client && installed_pg=1
    fi
    if ls /etc/postgresql/*/main >/dev/null 2>&1 && as_root; then
        version=$(ls /etc/postgresql | sort -V | tail -1)
        if [ -n "${installed_pg:-}" ]; then
            # A server this script installed: trust local TCP connections, like the CI machine.
            hba=/etc/postgresql/$version/main/pg_hba.conf
            sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/; s/^(host\s+all\s+all\s+::1\/128\s+)\S+/\1trust/' "$hba"
        fi
        pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
        for _ in $(seq 1 30); do pg_up && break; sleep 1; done
        if pg_up; then
            su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='test'\"" | grep -q 1 \
                || su postgres -c "createdb test"
            say "PostgreSQL started on 127.0.0.1:5432"
        fi
    fi
    pg_up || say "no PostgreSQL: its test runs will be skipped"
fi

# -- Chromium -----------------------------------------------------------------------
if [ -x /usr/bin/chromium ]; then
    say "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
else
    say "installing chromium from Debian's packages"
    apt_install chromium fonts-noto-cjk || say "no chromium: the browser tests will be skipped"
fi

# -- poppler-utils: pdffonts and pdftotext check the traveller PDF -----------------------
if command -v pdffonts >/dev/null && command -v pdftotext >/dev/null; then
    say "poppler-utils: $(pdftotext -v 2>&1 | head -1)"
else
    say "installing poppler-utils from Debian's packages"
    apt_install poppler-utils || say "no poppler-utils: the PDF font tests will be skipped"
fi
exit 0
