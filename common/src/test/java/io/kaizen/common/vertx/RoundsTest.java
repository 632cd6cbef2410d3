package io.kaizen.common.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;

class RoundsTest {

    /** Rounds that end only when the test ends them. */
    private final List<UniEmitter<? super Void>> open = new ArrayList<>();
    private final AtomicInteger started = new AtomicInteger();
    private final Rounds rounds = new Rounds(() -> {
        started.incrementAndGet();
        return Uni.createFrom().emitter(open::add);
    });

    @Test
    void wakeUpsDuringARoundMakeExactlyOneMoreRoundFollowIt() {
        rounds.wake();
        rounds.wake();
        rounds.wake();
        assertThat(started).as("rounds never overlap").hasValue(1);

        open.get(0).complete(null);
        assertThat(started).as("one more round for the wake-ups that came during the first").hasValue(2);

        open.get(1).complete(null);
        assertThat(started).as("nothing woke the rounds during the second").hasValue(2);

        rounds.wake();
        assertThat(started).hasValue(3);
    }

    @Test
    void aFailedRoundEndsLikeASuccessfulOne() {
        rounds.wake();
        rounds.wake();
        open.get(0).fail(new IllegalStateException("the broker is away"));
        assertThat(started).hasValue(2);
    }

    @Test
    void aRoundThatThrowsBeforeItsUniExistsDoesNotStopTheRounds() {
        AtomicInteger calls = new AtomicInteger();
        Rounds throwing = new Rounds(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("no connection");
            }
            return Uni.createFrom().voidItem();
        });
        throwing.wake();
        throwing.wake();
        assertThat(calls).hasValue(2);
    }

    @Test
    void noRoundStartsOnceStoppedAndNoneFollowsTheRunningOne() {
        rounds.wake();
        rounds.wake();
        rounds.stop();
        rounds.wake();
        open.get(0).complete(null);
        assertThat(started).hasValue(1);
        assertThat(rounds.stopped()).isTrue();
    }

    @Test
    void wakeUpsBeforeADelayedOneFiresJoinItsRound() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            CountDownLatch firstStarted = new CountDownLatch(1);
            Rounds delayed = new Rounds(() -> {
                started.incrementAndGet();
                return Uni.createFrom().emitter(round -> {
                    open.add(round);
                    firstStarted.countDown();
                });
            });
            // three commits within the delay: one round for the three (wake() three times would make two); 3 s, so
            // that even a thread held off the cores for a while makes its three calls before the timer fires
            delayed.wakeAfter(vertx, 3000);
            delayed.wakeAfter(vertx, 3000);
            delayed.wakeAfter(vertx, 3000);
            assertThat(firstStarted.await(30, TimeUnit.SECONDS)).as("the delayed wake-up fired").isTrue();
            open.get(0).complete(null);
            assertThat(started).hasValue(1);

            delayed.wakeAfter(vertx, 0);
            assertThat(started).as("no delay wakes the rounds at once").hasValue(2);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
