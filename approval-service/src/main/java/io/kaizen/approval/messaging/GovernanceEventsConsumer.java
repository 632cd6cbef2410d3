package io.kaizen.approval.messaging;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.EventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.outbox.ProcessedEvents;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Receives governance events. Approver notifications arrive with the approval workflows; until then each event is
 * acknowledged and recorded as processed so the consumer group's position is real.
 */
@ApplicationScoped
public class GovernanceEventsConsumer extends EventConsumer {

    private static final Logger LOG = Logger.getLogger(GovernanceEventsConsumer.class);

    GovernanceEventsConsumer(ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures) {
        super("approval.governance", mapper, processed, failures);
    }

    @Incoming("governance")
    public Uni<Void> consume(Message<String> message) {
        return handle(message);
    }

    @Override
    protected Uni<Void> process(CloudEvent event) {
        return once(event, ignored -> {
            LOG.debugf("governance event %s (%s) received", event.id(), event.type());
            return Uni.createFrom().voidItem();
        });
    }
}
