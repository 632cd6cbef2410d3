package io.kaizen.gateway.service;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.gateway.adapter.EmailMessage;
import io.kaizen.gateway.adapter.OutboundAuth;
import io.kaizen.gateway.adapter.OutboundHttp;
import io.kaizen.gateway.adapter.OutboundRequest;
import io.kaizen.gateway.adapter.PlatformAdapter;
import io.kaizen.gateway.adapter.PlatformAdapters;
import io.kaizen.gateway.adapter.PlatformMessage;
import io.kaizen.gateway.client.AgentDirectory;
import io.kaizen.gateway.domain.Delivery;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * How a stored delivery goes out, by its destination: an http(s) URL is posted as stored; {@code mailto:} is an
 * e-mail ({@link EmailMessage} as the body) sent through the mailer; {@code agent:<id>} is a message
 * ({@link PlatformMessage} as the body) rendered by that agent's platform adapter and sent with the agent's outbound
 * auth, both at each attempt, so the agent's current destination and credentials are used and none is ever stored.
 */
@ApplicationScoped
public class DeliveryChannels {

    public static final String MAILTO = "mailto:";
    public static final String AGENT = "agent:";

    /**
     * A delivery ready to go: the platform and request its destination is throttled on, and how to send it.
     */
    record Prepared(String platform, OutboundRequest request, Supplier<Uni<DeliveryDispatcher.Outcome>> send) {
    }

    private final OutboundHttp http;
    private final OutboundAuth auth;
    private final AgentDirectory agents;
    private final PlatformAdapters adapters;
    private final ReactiveMailer mailer;
    private final ObjectMapper mapper;

    DeliveryChannels(OutboundHttp http, OutboundAuth auth, AgentDirectory agents, PlatformAdapters adapters,
            ReactiveMailer mailer, ObjectMapper mapper) {
        this.http = http;
        this.auth = auth;
        this.agents = agents;
        this.adapters = adapters;
        this.mailer = mailer;
        this.mapper = mapper;
    }

    /** The delivery as it goes out now; fails when its agent is gone or unreadable (see {@code Outcome.of}). */
    Uni<Prepared> prepare(Delivery row, Map<String, String> headers, Duration timeout) {
        if (row.destinationUrl.startsWith(MAILTO)) {
            EmailMessage email = read(row, EmailMessage.class);
            return Uni.createFrom().item(new Prepared("email", new OutboundRequest(row.destinationUrl, headers, row.body),
                    () -> mail(row, email)));
        }
        if (row.destinationUrl.startsWith(AGENT)) {
            String agentId = row.destinationUrl.substring(AGENT.length());
            PlatformMessage message = read(row, PlatformMessage.class);
            return agents.invocable(agentId, row.organizationId).map(agent -> {
                PlatformAdapter adapter = adapters.forPlatform(agent.platform());
                OutboundRequest request = adapter.render(agent, message)
                        .withHeader("X-Kaizen-Notification-ID", row.notificationId == null ? row.id : row.notificationId);
                return new Prepared(agent.platform(), request, () -> auth.apply(agent, request)
                        .chain(signed -> post(signed, timeout))
                        .chain(reply -> reply.status() == 401 && auth.refreshAfterUnauthorized(agent)
                                ? auth.apply(agent, request).chain(signed -> post(signed, timeout))
                                : Uni.createFrom().item(reply))
                        .map(DeliveryDispatcher.Outcome::of));
            });
        }
        OutboundRequest request = new OutboundRequest(row.destinationUrl, headers, row.body);
        return Uni.createFrom().item(new Prepared(row.platform, request,
                () -> post(request, timeout).map(DeliveryDispatcher.Outcome::of)));
    }

    private Uni<OutboundHttp.Reply> post(OutboundRequest request, Duration timeout) {
        return http.post(request.url(), request.headers(), Buffer.buffer(request.body()), timeout);
    }

    private Uni<DeliveryDispatcher.Outcome> mail(Delivery row, EmailMessage email) {
        Mail mail = new Mail().setTo(email.to()).setSubject(email.subject()).setText(email.text())
                .setHtml(email.html())
                .addHeader("X-Kaizen-Notification-ID", row.notificationId == null ? row.id : row.notificationId);
        return mailer.send(mail).replaceWith(DeliveryDispatcher.Outcome.mailed());
    }

    private <T> T read(Delivery row, Class<T> type) {
        try {
            return mapper.readValue(row.body, type);
        } catch (IOException e) {
            throw new IllegalStateException("delivery " + row.id + " has an unreadable body", e);
        }
    }
}
