#!/usr/bin/env bash
# bodycoach kiosk supervisor: run the kiosk and restart it whenever it stops unexpectedly.
#
#   deploy/kiosk-supervisor.sh                           # bodycoach kiosk --config "$KIOSK_CONFIG"
#   deploy/kiosk-supervisor.sh -- bodycoach kiosk --source 0 --lang en
#
# Exit status of the kiosk decides what happens:
#   0  it was asked to stop (SIGTERM/SIGINT, --duration): the supervisor stops too (exit 0)
#   2  bad config or no display: restarting cannot help; the supervisor stops (exit 2) and says why
#   *  anything else (1 = the coach kept failing, a signal = a crash in native code): restart after a
#      delay that doubles from KIOSK_RESTART_MIN_S to KIOSK_RESTART_MAX_S and resets once a run has lasted
#      KIOSK_STABLE_S seconds.
#
# Environment: KIOSK_CONFIG (default /etc/bodycoach/kiosk.toml, used only when it exists),
# KIOSK_RESTART_MIN_S (2), KIOSK_RESTART_MAX_S (60), KIOSK_STABLE_S (300), KIOSK_MAX_RESTARTS (0 = forever),
# BODYCOACH (the bodycoach executable, default: bodycoach on PATH).
# The systemd unit next to this file does the same job for machines that use systemd.
set -u

min_s=${KIOSK_RESTART_MIN_S:-2}
max_s=${KIOSK_RESTART_MAX_S:-60}
stable_s=${KIOSK_STABLE_S:-300}
max_restarts=${KIOSK_MAX_RESTARTS:-0}

if [ "${1:-}" = "--" ]; then
    shift
fi
if [ "$#" -eq 0 ]; then
    cfg=${KIOSK_CONFIG:-/etc/bodycoach/kiosk.toml}
    set -- "${BODYCOACH:-bodycoach}" kiosk
    if [ -f "$cfg" ]; then
        set -- "$@" --config "$cfg"
    fi
fi

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) kiosk-supervisor: $*" >&2; }

stopping=0
child=0
on_stop() {
    stopping=1
    if [ "$child" -ne 0 ]; then
        kill -TERM "$child" 2>/dev/null
    fi
}
trap on_stop TERM INT

delay=$min_s
restarts=0
while :; do
    started=$(date +%s)
    # The kiosk shows a calm "restarted after an error" note for a few seconds when this is > 0.
    BODYCOACH_KIOSK_RESTARTS=$restarts "$@" &
    child=$!
    wait "$child"
    rc=$?
    # wait returns early when a trapped signal arrives: wait for the kiosk to finish closing.
    while kill -0 "$child" 2>/dev/null; do
        wait "$child"
        rc=$?
    done
    child=0
    if [ "$stopping" -eq 1 ]; then
        log "stopped"
        exit 0
    fi
    if [ "$rc" -eq 0 ]; then
        log "the kiosk stopped normally"
        exit 0
    fi
    if [ "$rc" -eq 2 ]; then
        log "the kiosk refused to start (exit 2: bad config or no display); not restarting"
        exit 2
    fi
    ran=$(( $(date +%s) - started ))
    if [ "$ran" -ge "$stable_s" ]; then
        delay=$min_s
    fi
    restarts=$((restarts + 1))
    if [ "$max_restarts" -gt 0 ] && [ "$restarts" -gt "$max_restarts" ]; then
        log "the kiosk exited with status $rc; $max_restarts restarts used up, giving up"
        exit 1
    fi
    log "the kiosk exited with status $rc after ${ran} s; restart $restarts in ${delay} s"
    sleep "$delay" &
    wait $! || true
    if [ "$stopping" -eq 1 ]; then
        log "stopped"
        exit 0
    fi
    delay=$(( delay * 2 ))
    if [ "$delay" -gt "$max_s" ]; then
        delay=$max_s
    fi
done
