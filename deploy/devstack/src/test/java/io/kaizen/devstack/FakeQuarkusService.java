package io.kaizen.devstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;

/**
 * Plays a packaged Quarkus service for {@link ServiceLauncherTest}: listens on {@code quarkus.http.port}, is
 * ready after {@code fake.ready-after-ms}, shows its system properties and environment on {@code /config}, and
 * with {@code fake.exit} exits at once with that status.
 */
public final class FakeQuarkusService {

    private FakeQuarkusService() {
    }

    public static void main(String[] args) throws IOException {
        String exit = System.getProperty("fake.exit");
        if (exit != null) {
            System.out.println("fake service failing on purpose with status " + exit);
            System.exit(Integer.parseInt(exit));
        }
        long readyAt = System.currentTimeMillis() + Long.getLong("fake.ready-after-ms", 0L);
        int port = Integer.parseInt(System.getProperty("quarkus.http.port"));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/q/health/ready", exchange -> answer(exchange, System.currentTimeMillis() >= readyAt ? 200 : 503, "{}"));
        server.createContext("/config", exchange -> {
            StringBuilder body = new StringBuilder();
            new TreeMap<>(System.getProperties()).forEach((k, v) -> body.append(k).append('=').append(v).append('\n'));
            System.getenv().forEach((k, v) -> body.append("env.").append(k).append('=').append(v).append('\n'));
            answer(exchange, 200, body.toString());
        });
        server.start();
        System.out.println("fake service listening on " + port);
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
