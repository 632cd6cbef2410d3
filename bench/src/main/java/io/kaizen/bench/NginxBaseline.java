package io.kaizen.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The proxy baseline: nginx with {@code limit_req} in front of the sink, the cheapest form of "check a limit, then
 * forward". Runs from its own configuration in a temporary folder, in the foreground as a child of this JVM, on a
 * free port, with one rate-limit zone whose limit is far above any offered rate (every request is checked and
 * allowed). Absent when {@code nginx} is not on the PATH ({@code apt-get install nginx-light}).
 */
final class NginxBaseline implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final Path directory;
    private final int port;

    private NginxBaseline(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
    }

    /** The nginx executable on the PATH, if any. */
    static Optional<Path> executable() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String folder : path.split(File.pathSeparator)) {
            Path candidate = Path.of(folder.isEmpty() ? "." : folder, "nginx");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Starts nginx in front of {@code 127.0.0.1:sinkPort} and waits until it accepts connections. */
    static NginxBaseline start(Path nginx, int sinkPort) throws IOException {
        Path directory = Files.createTempDirectory("kaizen-bench-nginx");
        int port = freePort();
        Files.writeString(directory.resolve("nginx.conf"), configuration(directory, port, sinkPort));
        Process process = new ProcessBuilder(List.of(nginx.toString(), "-p", directory.toString(), "-c",
                directory.resolve("nginx.conf").toString(), "-e", directory.resolve("error.log").toString()))
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("nginx.out").toFile())
                .start();
        NginxBaseline baseline = new NginxBaseline(process, directory, port);
        Runtime.getRuntime().addShutdownHook(new Thread(baseline::close, "nginx-baseline-stop"));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepts(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                baseline.close();
                throw new IllegalStateException("nginx did not start; see " + directory.resolve("error.log") + ":\n"
                        + read(directory.resolve("error.log")) + read(directory.resolve("nginx.out")));
            }
            sleep(100);
        }
        return baseline;
    }

    int port() {
        return port;
    }

    /** SIGTERM (nginx's fast shutdown, workers included), SIGKILL after 10 s; the folder is removed. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var files = Files.walk(directory)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(file -> file.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary folder left behind is harmless
        }
    }

    private static String configuration(Path directory, int port, int sinkPort) {
        return """
                daemon off;
                worker_processes auto;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 4096; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/client_body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    # one key for every request, as one hot agent; the limit is far above the offered rate
                    limit_req_zone $server_name zone=bench:1m rate=1000000r/s;
                    upstream sink {
                        server 127.0.0.1:%3$d;
                        keepalive 64;
                    }
                    server {
                        listen 127.0.0.1:%2$d;
                        server_name bench;
                        location / {
                            limit_req zone=bench burst=1000000 nodelay;
                            proxy_pass http://sink;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                        }
                    }
                }
                """.formatted(directory, port, sinkPort);
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
