package io.kaizen.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.List;

/**
 * Makes sure a child process does not outlive this JVM. Shutdown hooks cover a normal exit; this covers the
 * rest (a JVM killed with SIGKILL, a surefire fork timing out): a tiny shell loop that signals the child
 * once this JVM is gone, and kills it if it does not stop within 20 seconds.
 */
final class OrphanGuard {

    private static final String SCRIPT = """
            while kill -0 "$1" 2>/dev/null; do
              kill -0 "$2" 2>/dev/null || exit 0
              sleep 1
            done
            kill -s "$3" "$2" 2>/dev/null
            i=0
            while kill -0 "$2" 2>/dev/null && [ "$i" -lt 20 ]; do sleep 1; i=$((i+1)); done
            kill -s KILL "$2" 2>/dev/null
            exit 0
            """;

    private final Process watcher;

    private OrphanGuard(Process watcher) {
        this.watcher = watcher;
    }

    /**
     * @param childPid the process to stop when this JVM dies
     * @param signal   how it is asked to stop (TERM, INT for a fast PostgreSQL shutdown)
     */
    static OrphanGuard watch(long childPid, String signal) {
        List<String> command = List.of("/bin/sh", "-c", SCRIPT, "kaizen-orphan-guard",
                Long.toString(ProcessHandle.current().pid()), Long.toString(childPid), signal);
        try {
            Process watcher = new ProcessBuilder(command)
                    .redirectOutput(Redirect.DISCARD)
                    .redirectError(Redirect.DISCARD)
                    .start();
            return new OrphanGuard(watcher);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the orphan guard for pid " + childPid, e);
        }
    }

    /** The child was stopped on purpose: the guard is no longer needed. */
    void release() {
        watcher.destroy();
    }
}
