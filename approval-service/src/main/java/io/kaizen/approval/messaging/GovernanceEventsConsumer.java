package io.kaizen.approval.messaging;

import java.util.Set;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.EventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.common.tracing.EventSpans;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Receives the governance events approvers are to be told of: denials and budget thresholds crossed (DESIGN §4).
 * Approver notifications arrive with the approval workflows; until then each such event is acknowledged and recorded
 * as processed, so the consumer group's position is real and the notifications will not start from the topic's
 * history. Every other type is passed over on its {@code ce_type} header,
 * unread and unrecorded.
 */
@ApplicationScoped
public class GovernanceEventsConsumer extends EventConsumer {

    private static final Logger LOG = Logger.getLogger(GovernanceEventsConsumer.class);
    private static final Set<String> NOTIFIED = Set.of(EventTypes.DECISION_DENIED, EventTypes.BUDGET_THRESHOLD_CROSSED);

    GovernanceEventsConsumer(ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures, EventSpans spans) {
        super("approval.governance", mapper, processed, failures, spans);
    }

    @Incoming("governance")
    public Uni<Void> consume(Message<String> message) {
        return handle(message);
    }

    @Override
    protected boolean handles(String type) {
        return NOTIFIED.contains(type);
    }

    @Override
    protected Uni<Void> process(CloudEvent event) {
        return once(event, ignored -> {
            LOG.debugf("governance event %s (%s) received", event.id(), event.type());
            return Uni.createFrom().voidItem();
        });
    }
}
