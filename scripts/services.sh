# shellcheck shell=bash
# Throwaway PostgreSQL, Redis and Dovecot on loopback for scripts/test and scripts/bench.
# Source it after lib.sh; it installs an EXIT trap that stops what it started.
#   ensure_system_packages   apt-installs postgresql, redis-server, dovecot-imapd, dovecot-lmtpd,
#                            chromium, CJK fonts if missing
#   start_services           starts the servers and exports KEFU_TEST_POSTGRESQL_URL,
#                            KEFU_TEST_REDIS_URL, KEFU_CHROMIUM and the KEFU_TEST_IMAP_* /
#                            KEFU_TEST_LMTP_PORT of Dovecot (see start_dovecot)
# KEFU_PG_DATA=<dir> keeps PostgreSQL's data in <dir> across runs (scripts/bench keeps its
# generated databases there); KEFU_PG_OPTIONS adds server settings ("-c name=value ...").

SECONDS=0
APT_PACKAGES=(postgresql redis-server dovecot-imapd dovecot-lmtpd chromium fonts-noto-cjk)
CHROMIUM=/usr/bin/chromium
DOVECOT=/usr/sbin/dovecot

# State for cleanup(); filled in as things get started.
TMP_DIR=""
PG_BIN=""
PG_DATA=""
REDIS_PORT=""
REDIS_PIDFILE=""
DOVECOT_DIR=""
REMOVE_POLICY_RC=""

# ---------------------------------------------------------------------------
# Cleanup: runs on every exit (success, failure, Ctrl-C, SIGTERM).
# ---------------------------------------------------------------------------

# Run a PostgreSQL tool. PostgreSQL refuses to run as root, so as root it runs as
# the `postgres` system user (created by Debian's postgresql package), from a
# directory that user can enter.
pg() {
    if [[ $EUID -eq 0 ]]; then
        (cd "$TMP_DIR" && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Wait up to 5 s for a process to exit, then kill it for good.
# shellcheck disable=SC2317  # (reached via trap)
wait_gone() {
    local pid=$1
    for _ in {1..50}; do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
}

# shellcheck disable=SC2317  # (reached via trap)
cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM HUP
    local pid
    if [[ -n $PG_DATA && -f $PG_DATA/postmaster.pid ]]; then
        pid="$(head -n 1 "$PG_DATA/postmaster.pid")"
        # SIGQUIT = immediate shutdown, in case pg_ctl itself is unusable. Kept data gets a
        # clean (fast) shutdown.
        pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m "$([[ -n ${KEFU_PG_DATA:-} ]] && echo fast || echo immediate)" \
            -w stop >/dev/null 2>&1 \
            || kill -QUIT "$pid" 2>/dev/null
        wait_gone "$pid"
    fi
    if [[ -n $REDIS_PIDFILE && -f $REDIS_PIDFILE ]]; then
        pid="$(cat "$REDIS_PIDFILE")"
        redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null
        wait_gone "$pid"
    fi
    if [[ -n $DOVECOT_DIR && -f $DOVECOT_DIR/run/master.pid ]]; then
        pid="$(cat "$DOVECOT_DIR/run/master.pid")"
        kill "$pid" 2>/dev/null
        wait_gone "$pid"
    fi
    [[ -n $TMP_DIR ]] && rm -rf "$TMP_DIR"
    [[ -n $REMOVE_POLICY_RC ]] && as_root rm -f /usr/sbin/policy-rc.d
    step "done in $((SECONDS / 60))m$((SECONDS % 60))s (exit code $rc)"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Newest Debian PostgreSQL bin dir (/usr/lib/postgresql/<version>/bin), if any.
find_pg_bin() {
    local dir
    dir="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null \
        | sort -V | tail -n 1)"
    [[ -n $dir ]] && dirname "$dir"
    return 0
}

has_cjk_font() {
    [[ "$(dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null)" == "install ok installed" ]] \
        || [[ -n "$(fc-list :lang=zh 2>/dev/null)" ]]
}

# Install from apt whatever the tests need and this machine lacks.
ensure_system_packages() {
    local missing=()
    [[ -n "$(find_pg_bin)" ]] || missing+=(postgresql)
    command -v redis-server >/dev/null && command -v redis-cli >/dev/null || missing+=(redis-server)
    [[ -x $CHROMIUM ]] || missing+=(chromium)
    has_cjk_font || missing+=(fonts-noto-cjk)
    [[ -x $DOVECOT && -e /usr/lib/dovecot/imap ]] || missing+=(dovecot-imapd)
    [[ -e /usr/lib/dovecot/lmtp ]] || missing+=(dovecot-lmtpd)

    if ((${#missing[@]} == 0)); then
        step "system packages present"
        return 0
    fi
    step "installing system packages: ${missing[*]}"
    # We run our own throwaway servers; keep apt from starting Debian's
    # postgresql/redis/dovecot services (policy-rc.d exit 101 = "don't start").
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        as_root sh -c 'printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
        REMOVE_POLICY_RC=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq -o DPkg::Lock::Timeout=300
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o DPkg::Lock::Timeout=300 "${APT_PACKAGES[@]}" >/dev/null
    if [[ -n $REMOVE_POLICY_RC ]]; then
        as_root rm -f /usr/sbin/policy-rc.d
        REMOVE_POLICY_RC=""
    fi
}

# N (default 2) distinct free ports on 127.0.0.1 (all sockets are open at once, so the
# kernel can't hand out the same port twice).
free_ports() {
    "$VENV/bin/python" - "${1:-2}" <<'PY'
import socket
import sys

socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
PY
}

# Start the throwaway PostgreSQL and Redis and export their URLs.
start_services() {
    PG_BIN="$(find_pg_bin)"
    [[ -n $PG_BIN ]] || die "PostgreSQL's initdb not found under /usr/lib/postgresql/*/bin"

    TMP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/kefu-test.XXXXXX")"
    if [[ $EUID -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "no 'postgres' user to run PostgreSQL as (is postgresql installed?)"
        chown postgres: "$TMP_DIR"
        runuser -u postgres -- test -w "$TMP_DIR" \
            || die "the postgres user can't reach $TMP_DIR; set TMPDIR to a world-traversable directory"
    fi

    local pg_port imap_port imaps_port lmtp_port
    read -r pg_port REDIS_PORT imap_port imaps_port lmtp_port < <(free_ports 5)

    step "starting PostgreSQL on 127.0.0.1:$pg_port ($(basename "$(dirname "$PG_BIN")"))"
    PG_DATA="${KEFU_PG_DATA:-$TMP_DIR/pg}"
    if [[ ! -f $PG_DATA/PG_VERSION ]]; then
        mkdir -p "$PG_DATA"
        [[ $EUID -eq 0 ]] && chown postgres: "$PG_DATA"
        pg "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U kefu --encoding=UTF8 --locale=C.UTF-8 --no-sync \
            >"$TMP_DIR/initdb.log" 2>&1 || { cat "$TMP_DIR/initdb.log" >&2; die "initdb failed"; }
    fi
    # fsync & co. off: the data is thrown away, and tests run much faster.
    pg "$PG_BIN/pg_ctl" -w -t 60 -D "$PG_DATA" -l "$TMP_DIR/postgresql.log" \
        -o "-p $pg_port -k $TMP_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${KEFU_PG_OPTIONS:-}" \
        start >/dev/null || { cat "$TMP_DIR/postgresql.log" >&2; die "PostgreSQL did not start"; }

    step "starting Redis on 127.0.0.1:$REDIS_PORT"
    mkdir "$TMP_DIR/redis"
    REDIS_PIDFILE="$TMP_DIR/redis/redis.pid"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --daemonize yes --pidfile "$REDIS_PIDFILE" --logfile "$TMP_DIR/redis/redis.log" \
        --dir "$TMP_DIR/redis"
    for _ in {1..100}; do   # wait up to 10 s
        [[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]] && break
        sleep 0.1
    done
    [[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]] \
        || { cat "$TMP_DIR/redis/redis.log" >&2; die "Redis did not start"; }

    start_dovecot "$imap_port" "$imaps_port" "$lmtp_port"

    export KEFU_TEST_POSTGRESQL_URL="postgresql+psycopg://kefu@127.0.0.1:$pg_port/postgres"
    export KEFU_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
    export KEFU_CHROMIUM="${KEFU_CHROMIUM:-$CHROMIUM}"
}

# Start a throwaway Dovecot (IMAP + LMTP) with its own configuration in $TMP_DIR/dovecot:
#   IMAP with STARTTLS on $1, implicit TLS on $2 (a self-signed certificate made here), LMTP on
#   $3, all on 127.0.0.1; IDLE on (Dovecot's default); maildirs under $TMP_DIR/dovecot/mail.
#   Users (passwd-file, one password): support@, customer@, agent@, spare1@ .. spare9@ at
#   example.test and at example.com (kefu refuses .test addresses of customers: email-validator
#   calls the domain special-use). Exports KEFU_TEST_IMAP_HOST, KEFU_TEST_IMAP_PORT, KEFU_TEST_IMAPS_PORT,
#   KEFU_TEST_LMTP_PORT, KEFU_TEST_IMAP_PASSWORD. As root, Dovecot's own processes run as
#   Debian's dovecot/dovenull users and mail is stored as nobody.
start_dovecot() {
    local imap_port=$1 imaps_port=$2 lmtp_port=$3
    [[ -x $DOVECOT ]] || die "$DOVECOT not found (is dovecot-imapd installed?)"
    DOVECOT_DIR="$TMP_DIR/dovecot"
    local dir=$DOVECOT_DIR password="kefu-test-imap"
    local internal_user login_user mail_uid mail_gid
    if [[ $EUID -eq 0 ]]; then
        if ! { id dovecot && id dovenull; } >/dev/null 2>&1; then
            die "no dovecot/dovenull users (is dovecot-core installed?)"
        fi
        internal_user=dovecot login_user=dovenull
        mail_uid="$(id -u nobody)" mail_gid="$(id -g nobody)"
        chmod 711 "$TMP_DIR"   # Dovecot's unprivileged processes reach their sockets inside
    else
        internal_user="$(id -un)" login_user="$(id -un)"
        mail_uid="$(id -u)" mail_gid="$(id -g)"
    fi
    step "starting Dovecot on 127.0.0.1: IMAP $imap_port, IMAPS $imaps_port, LMTP $lmtp_port"
    mkdir -p "$dir/run" "$dir/state" "$dir/mail"
    chmod 755 "$dir"
    chown "$mail_uid:$mail_gid" "$dir/mail"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1 \
        || die "openssl could not make the test certificate"
    : >"$dir/users"
    local user domain
    for domain in example.test example.com; do
        for user in support customer agent spare{1..9}; do
            printf '%s@%s:{PLAIN}%s:%s:%s::%s/mail/%s@%s::\n' "$user" "$domain" \
                "$password" "$mail_uid" "$mail_gid" "$dir" "$user" "$domain" >>"$dir/users"
        done
    done
    cat >"$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
default_internal_user = $internal_user
default_internal_group = $internal_user
default_login_user = $login_user
first_valid_uid = 1
protocols = imap lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <$dir/cert.pem
ssl_key = <$dir/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $dir/users
}
mail_location = maildir:~/Maildir
mail_max_userip_connections = 200
postmaster_address = postmaster@example.test
namespace inbox {
  inbox = yes
  separator = /
  mailbox Archive {
    auto = create
    special_use = \Archive
  }
  mailbox Sent {
    auto = create
    special_use = \Sent
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps_port
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp_port
  }
}
service imap {
  process_limit = 500
}
CONF
    "$DOVECOT" -c "$dir/dovecot.conf" >"$dir/start.log" 2>&1 \
        || { cat "$dir/start.log" "$dir/dovecot.log" >&2 2>/dev/null; die "Dovecot did not start"; }
    local port
    for port in "$imap_port" "$imaps_port" "$lmtp_port"; do
        for _ in {1..100}; do   # wait up to 10 s
            (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
            sleep 0.1
        done
        (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null \
            || { cat "$dir/dovecot.log" >&2 2>/dev/null; die "Dovecot is not listening on $port"; }
    done
    export KEFU_TEST_IMAP_HOST=127.0.0.1
    export KEFU_TEST_IMAP_PORT=$imap_port
    export KEFU_TEST_IMAPS_PORT=$imaps_port
    export KEFU_TEST_LMTP_PORT=$lmtp_port
    export KEFU_TEST_IMAP_PASSWORD=$password
}
