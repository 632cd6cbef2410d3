package io.kaizen.common.reactive;

import java.util.function.Function;
import java.util.function.Supplier;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Runs asynchronous steps one after another, each after the one before has completed, stopping at the first failure:
 * one per item ({@link #each}), or rounds until one says nothing is left ({@link #whileMore}).
 * <p>
 * Never build such a sequence as a chain in a loop ({@code all = all.chain(() -> step(item))}), nor as a method that
 * chains to itself ({@code round().chain(more -> more ? again() : done)}): each step nests one level deeper. Steps
 * that complete at once run through every level on one stack, and so does the completion of the last round, whose
 * result climbs back through every round before it. A few hundred to a few thousand levels overflow an event loop's
 * stack; the error is lost inside the pipeline and the {@code Uni} never completes, so a transaction it holds stays
 * open for good, or a relay or purge never runs again. Here {@link Multi} runs the steps in a loop, whatever their
 * number.
 */
public final class InOrder {

    private InOrder() {
    }

    /** Completes once {@code step} has completed for every item, in their order; emits the first failure. */
    public static <T> Uni<Void> each(Iterable<T> items, Function<? super T, Uni<?>> step) {
        return Multi.createFrom().iterable(items)
                .onItem().transformToUniAndConcatenate(item -> step.apply(item).replaceWithVoid())
                .collect().last()
                .replaceWithVoid();
    }

    /**
     * Runs {@code round} again and again, each round after the one before has completed, until one emits false
     * (nothing more to do); emits the first failure.
     */
    public static Uni<Void> whileMore(Supplier<Uni<Boolean>> round) {
        return Multi.createBy().repeating().<Boolean>uni(round::get).whilst(more -> more)
                .collect().last()
                .replaceWithVoid();
    }
}
