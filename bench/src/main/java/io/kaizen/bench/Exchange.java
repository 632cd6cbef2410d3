package io.kaizen.bench;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.PoolOptions;

/** One request of a {@link Traffic} and its whole answer, with a deadline. */
final class Exchange {

    /** The answer, read to its end. */
    record Answer(int status, MultiMap headers, Buffer body) {
    }

    private Exchange() {
    }

    /**
     * A keep-alive client of {@code connections} connections whose wait queue is unbounded: a request waits for a
     * connection at most its connect timeout, so the queue holds at most rate × timeout requests.
     */
    static HttpClient client(Vertx vertx, int connections) {
        return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    }

    /**
     * Sends the n-th request. It fails when no connection is free within {@code timeout}, or when the answer stops
     * for {@code timeout}. The exchange runs on a Vert.x context: started from a plain thread, the answer's bytes could
     * arrive before its body handler is set, and a full answer would be read as an empty one.
     */
    static Future<Answer> send(Vertx vertx, HttpClient client, Traffic traffic, long n, Duration timeout) {
        Traffic.Outgoing outgoing = traffic.request().apply(n);
        outgoing.options().setHost(traffic.host()).setPort(traffic.port())
                .setConnectTimeout(timeout.toMillis()).setIdleTimeout(timeout.toMillis());
        Promise<Answer> answer = Promise.promise();
        vertx.getOrCreateContext().runOnContext(ignored -> client.request(outgoing.options())
                .compose(request -> request.send(outgoing.body()))
                .compose(response -> response.body()
                        .map(body -> new Answer(response.statusCode(), response.headers(), body)))
                .onComplete(answer));
        return answer.future();
    }

    /** The longest an exchange sent with {@code timeout} takes to end: a connection wait plus a read, and a margin. */
    static Duration longest(Duration timeout) {
        return timeout.multipliedBy(2).plusSeconds(5);
    }

    /** The label a failed exchange is counted under. */
    static String failure(Throwable error) {
        if (error instanceof TimeoutException || error.getClass().getSimpleName().contains("Timeout")) {
            return "timeout";
        }
        if (error instanceof ConnectionPoolTooBusyException) {
            return "client queue full";
        }
        if (error instanceof HttpClosedException) {
            return "connection closed";
        }
        if (error instanceof ConnectException) {
            return "connection refused";
        }
        return error.getClass().getSimpleName();
    }
}
