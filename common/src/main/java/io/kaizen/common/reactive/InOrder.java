package io.kaizen.common.reactive;

import java.util.function.Function;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Runs one asynchronous step per item, each after the one before has completed, and stops at the first failure.
 * <p>
 * Never build such a sequence as a chain in a loop ({@code all = all.chain(() -> step(item))}): each element nests
 * one level deeper, and steps that complete at once (a cached value, a statement held for the flush) run through
 * every level on one stack. A few hundred of them overflow an event loop's stack; the error is lost inside the
 * pipeline and the {@code Uni} never completes, so a transaction it holds stays open for good. Here the steps are
 * concatenated by {@link Multi}, which runs them in a loop whatever their number.
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
}
