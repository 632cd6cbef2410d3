package io.kaizen.gateway.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.EventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.events.ApprovalEvent;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.common.reactive.InOrder;
import io.kaizen.common.tracing.EventSpans;
import io.kaizen.common.vertx.DetachedContext;
import io.kaizen.gateway.domain.ApprovalOutcome;
import io.kaizen.gateway.domain.HeldInvocation;
import io.kaizen.gateway.service.HeldInvocations;
import io.kaizen.gateway.service.InvocationService;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Takes up the outcome of approval requests (DESIGN §3 step 5). The held invocations of a decided request are claimed
 * in the transaction that records the event as processed, so each is acted on once whatever the redeliveries: on
 * {@code approval.approved} each is marked taken up and executed after that commit, leaving the held set only when it
 * is stored as accepted (a gateway stopping in between leaves it to {@link #resumeStranded}); on
 * {@code approval.rejected} or {@code approval.expired} each ends as {@code rejected} or {@code expired} in that same
 * transaction. The outcome itself is recorded first, under the request's lock, so a held call whose row is committed
 * only after the event was processed (its request decided while the gateway stored it) is acted on as it is stored.
 */
@ApplicationScoped
public class ApprovalOutcomeConsumer extends EventConsumer {

    private static final Logger LOG = Logger.getLogger(ApprovalOutcomeConsumer.class);
    /** How long a request's outcome is kept for calls stored after it arrived (they are stored within seconds). */
    static final Duration OUTCOMES_KEPT = Duration.ofDays(1);
    private static final Set<String> OUTCOMES = Set.of(EventTypes.APPROVAL_APPROVED, EventTypes.APPROVAL_REJECTED,
            EventTypes.APPROVAL_EXPIRED);

    private final HeldInvocations held;
    private final InvocationService invocations;
    private final Vertx vertx;
    private final Duration retakeAfter;

    ApprovalOutcomeConsumer(ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures, EventSpans spans,
            HeldInvocations held, InvocationService invocations, Vertx vertx,
            @ConfigProperty(name = "kaizen.gateway.approvals.retake-after", defaultValue = "2m") Duration retakeAfter) {
        super("gateway.approvals", mapper, processed, failures, spans);
        this.held = held;
        this.invocations = invocations;
        this.vertx = vertx;
        this.retakeAfter = retakeAfter;
    }

    @Incoming("approvals")
    public Uni<Void> consume(Message<String> message) {
        return handle(message);
    }

    @Override
    protected boolean handles(String type) {
        return OUTCOMES.contains(type);
    }

    @Override
    protected Uni<Void> process(CloudEvent event) {
        ApprovalEvent data = read(event, ApprovalEvent.class);
        String requestId = data.approvalRequestId();
        Instant now = Instant.now();
        String status = switch (event.type()) {
            case EventTypes.APPROVAL_APPROVED -> ApprovalOutcome.APPROVED;
            case EventTypes.APPROVAL_REJECTED -> ApprovalOutcome.REJECTED;
            default -> ApprovalOutcome.EXPIRED;
        };
        if (status.equals(ApprovalOutcome.APPROVED)) {
            List<HeldInvocation> claimed = new ArrayList<>();
            return once(event, ignored -> held.decided(requestId, status, null, now)
                            .chain(() -> held.approve(requestId, now)).invoke(claimed::addAll).replaceWithVoid())
                    .invoke(() -> claimed.forEach(this::resume));
        }
        return once(event, ignored -> held.decided(requestId, status, data.reason(), now)
                        .chain(outcome -> held.ofRequest(requestId)
                                .chain(rows -> InOrder.each(rows,
                                        row -> held.end(row, HeldInvocations.Ending.of(outcome))))))
                .invoke(held::wakeDeliveries);
    }

    /**
     * Takes up again the approved calls whose resumption stopped with the gateway that ran it: still held
     * {@code kaizen.gateway.approvals.retake-after} (2 min) after they were taken up, well past the time a resumption
     * needs to store its call as accepted.
     */
    @Scheduled(every = "${kaizen.gateway.sweep.interval:30s}", delayed = "${kaizen.gateway.sweep.start-delay:10s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> resumeStranded() {
        Instant now = Instant.now();
        return retake(now.minus(retakeAfter), now)
                .onFailure().invoke(e -> LOG.warnf("taking up approved calls again failed: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .chain(() -> held.forgetOutcomes(now.minus(OUTCOMES_KEPT)))
                .onFailure().invoke(e -> LOG.warnf("forgetting approval outcomes failed: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Resumes the approved calls taken up before {@code takenBefore} and still held; returns how many. */
    public Uni<Integer> retake(Instant takenBefore, Instant now) {
        return held.stranded(takenBefore, now).invoke(rows -> rows.forEach(this::resume)).map(List::size);
    }

    /** Executes an approved call on a context of its own; its outcome is recorded by the invoke path. */
    private void resume(HeldInvocation row) {
        DetachedContext.run(vertx, () -> invocations.resume(row)).subscribe().with(done -> { },
                failure -> LOG.warnf("approved invocation %s was not recorded: %s", row.invocationId,
                        failure.getClass().getSimpleName()));
    }
}
