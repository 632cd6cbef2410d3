package io.kaizen.governance;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.governance.budget.BudgetLedger;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * A tally rebuild reads an agent's outstanding reservations a page at a time so that hundreds of thousands of them
 * fit in the heap: a page must be garbage once it has been handed on, not kept reachable until the last page is read
 * (an agent's 356,737 outstanding reservations ran governance out of heap that way).
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class OutstandingPagesTest {

    private static final int ROWS = 40;
    private static final int PAGE = 5;

    @Inject
    BudgetLedger ledger;

    @Test
    void everyReservationIsReadOnceAndAReadPageIsNotHeldWhileTheNextOnesAreRead() throws Throwable {
        String agent = "agt_pages_" + UUID.randomUUID().toString().replace("-", "");
        for (int i = 0; i < ROWS; i++) {
            Ledger.commitReservation(String.format("res_pages_%03d_%s", i, agent), "org_pages", agent,
                    PrefixedId.next(PrefixedId.INVOCATION), "0.01");
        }
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<String> read = new ArrayList<>();
        List<WeakReference<List<BudgetLedger.Held>>> pages = new ArrayList<>();
        boolean[] firstPageCollected = {false};

        VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> ledger.outstanding(agent,
                today.withDayOfMonth(1), today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)), PAGE,
                page -> {
                    page.forEach(held -> read.add(held.id()));
                    pages.add(new WeakReference<>(page));
                    if (pages.size() == ROWS / PAGE) {
                        // the last page: the first one was handed on long ago
                        System.gc();
                        firstPageCollected[0] = pages.get(0).get() == null;
                    }
                    return Uni.createFrom().voidItem();
                })));

        assertThat(read).hasSize(ROWS).doesNotHaveDuplicates().isSorted();
        assertThat(pages).hasSize(ROWS / PAGE);
        assertThat(firstPageCollected[0]).as("the first page is garbage while the last is read").isTrue();
    }
}
