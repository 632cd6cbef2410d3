package io.kaizen.common.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

class InOrderTest {

    /** The stack the services give their threads ({@code -Xss512k}); a chain built in a loop overflows it. */
    private static final long SERVICE_STACK = 512 * 1024;

    @Test
    void stepsThatCompleteAtOnceRunInOrderOnASmallStackWhateverTheirNumber() throws Exception {
        List<Integer> items = IntStream.range(0, 100_000).boxed().toList();
        List<Integer> seen = new ArrayList<>();

        String outcome = onSmallStack(() -> InOrder.each(items, item -> Uni.createFrom().item(item)
                .chain(value -> Uni.createFrom().item(value).invoke(seen::add))));

        assertThat(outcome).isEqualTo("completed");
        assertThat(seen).isEqualTo(items);
    }

    /** What the helper replaces: the same steps chained in a loop overflow the stack and never complete. */
    @Test
    void theSameStepsChainedInALoopOverflowTheStack() throws Exception {
        List<Integer> seen = new ArrayList<>();

        String outcome = onSmallStack(() -> {
            Uni<Void> all = Uni.createFrom().voidItem();
            for (int i = 0; i < 100_000; i++) {
                int item = i;
                all = all.chain(() -> Uni.createFrom().item(item).invoke(seen::add).replaceWithVoid());
            }
            return all;
        });

        assertThat(outcome).isNotEqualTo("completed");
        assertThat(seen).hasSizeLessThan(100_000);
    }

    @Test
    void theFirstFailureStopsTheSteps() throws Exception {
        List<Integer> seen = new ArrayList<>();

        String outcome = onSmallStack(() -> InOrder.each(List.of(1, 2, 3, 4), item -> item == 3
                ? Uni.createFrom().failure(new IllegalStateException("step 3"))
                : Uni.createFrom().item(item).invoke(seen::add)));

        assertThat(outcome).isEqualTo("failed step 3");
        assertThat(seen).containsExactly(1, 2);
    }

    @Test
    void noItemsCompleteAtOnce() throws Exception {
        assertThat(onSmallStack(() -> InOrder.each(List.<Integer>of(), item -> Uni.createFrom().failure(
                new AssertionError("no step runs"))))).isEqualTo("completed");
    }

    /** Subscribes on a thread with the services' stack: how the {@code Uni} ended, or what it threw. */
    private static String onSmallStack(java.util.function.Supplier<Uni<Void>> work) throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread thread = new Thread(null, () -> {
            try {
                work.get().subscribe().with(ignored -> outcome.complete("completed"),
                        failure -> outcome.complete("failed " + failure.getMessage()));
            } catch (Throwable e) {
                thrown.set(e);
            }
            outcome.complete(thrown.get() == null ? "pending" : "thrown " + thrown.get().getClass().getSimpleName());
        }, "small-stack", SERVICE_STACK);
        thread.start();
        thread.join(TimeUnit.MINUTES.toMillis(1));
        return outcome.getNow("still running");
    }
}
