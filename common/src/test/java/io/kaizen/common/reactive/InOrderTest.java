package io.kaizen.common.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

    /** Rounds that complete later, on another thread, as a database or broker answers: 100,000 of them. */
    @Test
    void roundsRunUntilOneSaysNothingIsLeftWhateverTheirNumber() throws Exception {
        ExecutorService io = Executors.newSingleThreadExecutor(task -> new Thread(null, task, "io", SERVICE_STACK));
        AtomicInteger rounds = new AtomicInteger();
        try {
            String outcome = onSmallStack(() -> InOrder.whileMore(() -> Uni.createFrom().completionStage(
                    () -> CompletableFuture.supplyAsync(() -> rounds.incrementAndGet() < 100_000, io))));

            assertThat(outcome).isEqualTo("completed");
            assertThat(rounds).hasValue(100_000);
        } finally {
            io.shutdownNow();
        }
    }

    /** What {@link InOrder#whileMore} replaces: a round that chains to itself never completes after enough rounds. */
    @Test
    void theSameRoundsChainedToThemselvesNeverComplete() throws Exception {
        ExecutorService io = Executors.newSingleThreadExecutor(task -> new Thread(null, task, "io", SERVICE_STACK));
        AtomicInteger rounds = new AtomicInteger();
        try {
            CompletableFuture<String> outcome = subscribeOnSmallStack(() -> selfChained(rounds, io));

            // every round runs (however slowly the machine goes), then the last one's result climbs back through
            // every round before it and the stack overflows on the way
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (rounds.get() < 100_000 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(rounds).hasValue(100_000);
            assertThat(outcome.completeOnTimeout("still running", 2, TimeUnit.SECONDS).get())
                    .isEqualTo("still running");
        } finally {
            io.shutdownNow();
        }
    }

    private static Uni<Void> selfChained(AtomicInteger rounds, ExecutorService io) {
        return Uni.createFrom().completionStage(() -> CompletableFuture.supplyAsync(
                () -> rounds.incrementAndGet() < 100_000, io))
                .chain(more -> more ? selfChained(rounds, io) : Uni.createFrom().voidItem());
    }

    @Test
    void aRoundThatSaysNothingIsLeftEndsTheRoundsAtOnce() throws Exception {
        AtomicInteger rounds = new AtomicInteger();

        assertThat(onSmallStack(() -> InOrder.whileMore(() -> Uni.createFrom().item(rounds.incrementAndGet() < 1))))
                .isEqualTo("completed");
        assertThat(rounds).hasValue(1);
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

    /** Subscribes on a thread with the services' stack: how the {@code Uni} ends, or what the subscription threw. */
    private static CompletableFuture<String> subscribeOnSmallStack(java.util.function.Supplier<Uni<Void>> work) {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        new Thread(null, () -> {
            try {
                work.get().subscribe().with(ignored -> outcome.complete("completed"),
                        failure -> outcome.complete("failed " + failure.getMessage()));
            } catch (Throwable e) {
                outcome.complete("thrown " + e.getClass().getSimpleName());
            }
        }, "small-stack", SERVICE_STACK).start();
        return outcome;
    }

    /** As {@link #subscribeOnSmallStack}, waiting up to a minute: "still running" when it has not ended by then. */
    private static String onSmallStack(java.util.function.Supplier<Uni<Void>> work) throws Exception {
        return subscribeOnSmallStack(work).completeOnTimeout("still running", 1, TimeUnit.MINUTES).get();
    }
}
