package io.kaizen.common.vertx;

import java.util.function.Supplier;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs database work that belongs to no request — a relay round woken by a notification, a batch written for many
 * callers — on a new duplicated Vert.x context of an event loop, flagged safe. Hibernate Reactive keeps its session
 * in the current context, so the work gets a session of its own instead of sharing (or lacking) a caller's.
 */
public final class DetachedContext {

    private DetachedContext() {
    }

    /** The work's result, emitted on the detached context's event loop. */
    public static <T> Uni<T> run(Vertx vertx, Supplier<Uni<T>> work) {
        return Uni.createFrom().emitter(emitter -> {
            Context context = VertxContext.createNewDuplicatedContext(VertxContext.getRootContext(vertx.getOrCreateContext()));
            VertxContextSafetyToggle.setContextSafe(context, true);
            // deferred: a supplier that throws fails the Uni instead of leaving it pending
            context.runOnContext(ignored -> Uni.createFrom().<T>deferred(work::get).subscribe()
                    .with(emitter::complete, emitter::fail));
        });
    }

    /**
     * {@code work}'s outcome emitted on {@code caller} ({@code work} unchanged when null): work run or shared elsewhere
     * — on a detached context, or started by another caller — resumes each waiter on its own context.
     */
    public static <T> Uni<T> resumeOn(Context caller, Uni<T> work) {
        return caller == null ? work : work.emitOn(task -> caller.runOnContext(ignored -> task.run()));
    }
}
