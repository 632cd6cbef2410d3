package io.kaizen.common.vertx;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The service's one connection that LISTENs on PostgreSQL channels writers notify in their transactions:
 * {@code pg_notify} is delivered when the transaction commits, and only then. The outbox relay is woken by it, and
 * governance drops its cached configuration by it.
 * <p>
 * A notification sent while the connection is down is lost. So each {@link Channel} is told when its LISTEN is in
 * place (after the first connection and after every reconnection) and when the connection dropped, and must assume
 * it missed whatever happened in between. The first connection is retried like a dropped one, every second.
 */
@ApplicationScoped
public class CommitListener {

    private static final Logger LOG = Logger.getLogger(CommitListener.class);
    /** The wait before the listening connection is opened again, after it dropped or could not be opened. */
    private static final long RECONNECT_MILLIS = 1000;

    /** What listens on one channel; called on the listening connection's event loop. */
    public interface Channel {

        /** A transaction that notified the channel has committed. */
        void notified(String payload);

        /** True when LISTEN is in place (again), false when the connection dropped: notifications may be missed. */
        void listening(boolean listening);
    }

    private final Vertx vertx;
    private final Optional<String> databaseUrl;
    private final Optional<String> username;
    private final Optional<String> password;
    private final List<Channel> channels = new CopyOnWriteArrayList<>();
    private PgSubscriber subscriber;
    private volatile boolean stopped;

    CommitListener(Vertx vertx,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") Optional<String> databaseUrl,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.vertx = vertx;
        this.databaseUrl = databaseUrl;
        this.username = username;
        this.password = password;
    }

    /**
     * Listens on {@code name} from now on (the connection is opened by the first call). Returns false, and never calls
     * {@code channel}, when there is no database URL to listen on.
     */
    public synchronized boolean listen(String name, Channel channel) {
        if (databaseUrl.isEmpty()) {
            LOG.warnf("no quarkus.datasource.reactive.url: not listening on %s", name);
            return false;
        }
        if (stopped) {
            return false;
        }
        channels.add(channel);
        if (subscriber == null) {
            PgConnectOptions options = PgConnectOptions.fromUri(databaseUrl.get().replaceFirst("^vertx-reactive:", "")
                    .split(",")[0]);
            username.ifPresent(options::setUser);
            password.ifPresent(options::setPassword);
            subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(attempt -> {
                if (attempt == 0) {
                    channels.forEach(each -> each.listening(false));
                }
                return RECONNECT_MILLIS;
            });
            subscribe(name, channel);
            connect();
        } else {
            subscribe(name, channel);
        }
        return true;
    }

    private void subscribe(String name, Channel channel) {
        subscriber.channel(name)
                .subscribeHandler(ignored -> channel.listening(true))
                .handler(channel::notified);
    }

    /** The first connection is retried here: the subscriber's reconnect policy covers only a dropped one. */
    private void connect() {
        subscriber.connect().onFailure(e -> {
            LOG.warnf("cannot listen for commits yet (%s); trying again", e.getMessage());
            subscriber.close();
            if (!stopped) {
                vertx.setTimer(RECONNECT_MILLIS, ignored -> connect());
            }
        });
    }

    synchronized void onShutdown(@Observes ShutdownEvent event) {
        stopped = true;
        if (subscriber != null) {
            subscriber.close();
        }
    }
}
