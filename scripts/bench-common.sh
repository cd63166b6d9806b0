# Shared by scripts/bench and scripts/bench-nightly (sourced, not run).

command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null 2>&1 || sudo apt-get install -y -qq time; }

# Runs a command under /usr/bin/time; prints "seconds peak_kb". Then, untimed, waits
# for the kernel to write the command's files out (sync): otherwise the next command
# pays for the previous one's writeback (sqlite3's 470 MB flat table slowed the
# footprint run after it by 10-20 %, and the other way round). Needs $work.
measure() {
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
    sync
    cat "$work/time"
}
