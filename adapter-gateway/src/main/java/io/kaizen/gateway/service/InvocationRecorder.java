package io.kaizen.gateway.service;

import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.events.Topics;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.gateway.domain.Invocation;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Stores an invocation's final state and its event in one transaction. */
@ApplicationScoped
public class InvocationRecorder {

    private final Outbox outbox;

    InvocationRecorder(Outbox outbox) {
        this.outbox = outbox;
    }

    @WithTransaction
    public Uni<Invocation> record(Invocation invocation, String eventType, InvocationEvent event) {
        return invocation.<Invocation>persist()
                .call(saved -> outbox.add(Topics.INVOCATIONS, eventType, saved.id, saved.organizationId, event));
    }
}
