package io.kaizen.common.vertx;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

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
 * A notification sent while the connection is down is lost. So each listener is told when its LISTEN is in place
 * (after the first connection and after every reconnection) and when the connection dropped, and must assume it
 * missed whatever happened in between. The first connection is retried like a dropped one, every second.
 */
@ApplicationScoped
public class CommitListener {

    private static final Logger LOG = Logger.getLogger(CommitListener.class);
    /** The wait before the listening connection is opened again, after it dropped or could not be opened. */
    private static final long RECONNECT_MILLIS = 1000;

    private final Vertx vertx;
    private final Optional<String> databaseUrl;
    private final Optional<String> username;
    private final Optional<String> password;
    /** The listening callbacks of every channel: told false together when the connection drops. */
    private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
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
     * Listens on {@code name} from now on (the connection is opened by the first call); without a database URL there
     * is nothing to listen on, and neither callback is ever called. Both are called on the listening connection's event
     * loop: {@code notified} with the payload of each committed notification, {@code listening} with true when LISTEN
     * is in place (again) and false when the connection dropped.
     */
    public synchronized void listen(String name, Consumer<String> notified, Consumer<Boolean> listening) {
        if (databaseUrl.isEmpty()) {
            LOG.warnf("no quarkus.datasource.reactive.url: not listening on %s", name);
            return;
        }
        if (stopped) {
            return;
        }
        listeners.add(listening);
        boolean first = subscriber == null;
        if (first) {
            PgConnectOptions options = PgConnectOptions.fromUri(databaseUrl.get().replaceFirst("^vertx-reactive:", "")
                    .split(",")[0]);
            username.ifPresent(options::setUser);
            password.ifPresent(options::setPassword);
            subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(attempt -> {
                if (attempt == 0) {
                    listeners.forEach(each -> each.accept(false));
                }
                return RECONNECT_MILLIS;
            });
        }
        subscriber.channel(name).subscribeHandler(ignored -> listening.accept(true)).handler(notified::accept);
        if (first) {
            connect();
        }
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
