package io.kaizen.common.vertx;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Work done in rounds that never overlap: {@link #wake} starts a round now or, while one runs, makes exactly one more
 * follow it, however many wake-ups came meanwhile; so work that arrives during a round is never left waiting for the
 * next wake-up. A round that fails ends like one that succeeded (the work reports its own failures). Once
 * {@link #stop}ped, no round starts. {@link #wakeAfter} gathers: it wakes the rounds once a delay has passed since
 * the first of its calls, so the work of those milliseconds is done in one round.
 */
public final class Rounds {

    private final Supplier<Uni<Void>> round;
    private volatile boolean stopped;
    /** A wake-up is scheduled ({@link #wakeAfter}): calls until it fires join it. */
    private final AtomicBoolean gathering = new AtomicBoolean();
    /** A round is running; guarded by {@code this}. */
    private boolean running;
    /** A wake-up came during the running round, so another follows it; guarded by {@code this}. */
    private boolean again;

    public Rounds(Supplier<Uni<Void>> round) {
        this.round = round;
    }

    /** Runs a round now, or one more after the running one. */
    public void wake() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            if (running) {
                again = true;
                return;
            }
            running = true;
        }
        run();
    }

    /**
     * Wakes the rounds {@code millis} after this call, or now when {@code millis} is not positive; calls until then
     * join that wake-up.
     */
    public void wakeAfter(Vertx vertx, long millis) {
        if (millis <= 0) {
            wake();
        } else if (gathering.compareAndSet(false, true)) {
            vertx.setTimer(millis, id -> {
                gathering.set(false);
                wake();
            });
        }
    }

    /** No round starts from now on; a running one finishes. */
    public void stop() {
        stopped = true;
    }

    public boolean stopped() {
        return stopped;
    }

    private void run() {
        Uni.createFrom().deferred(round::get).subscribe().with(ignored -> done(), failure -> done());
    }

    private void done() {
        synchronized (this) {
            if (!again || stopped) {
                running = false;
                return;
            }
            again = false;
        }
        run();
    }
}
