package io.kaizen.approval.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.outbox.ProcessedEvents;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Receives governance events. Approver notifications arrive with the approval workflows; until then each event is
 * acknowledged and recorded as processed so the consumer group's position is real.
 */
@ApplicationScoped
public class GovernanceEventsConsumer {

    private static final Logger LOG = Logger.getLogger(GovernanceEventsConsumer.class);

    private final ProcessedEvents processed;

    GovernanceEventsConsumer(ProcessedEvents processed) {
        this.processed = processed;
    }

    @Incoming("governance")
    public Uni<Void> consume(ConsumerRecord<String, String> record) {
        return processed.once("approval.governance", CloudEvent.from(record), event -> {
            LOG.debugf("governance event %s (%s) received", event.id(), event.type());
            return Uni.createFrom().voidItem();
        });
    }
}
