package io.kaizen.devstack;

import redis.embedded.core.ExecutableProvider;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A Redis server on a loopback port: {@code redis-server} from the PATH when there is one, else the Linux
 * x86_64 build that embedded-redis ships. Nothing is persisted, like a cache node that was replaced: after
 * {@link #stop()} and {@link #start()} Redis is empty, which is what the rebuild-from-ledger tests need.
 */
public final class RedisServer {

    private final int port;
    private final Path directory;
    private ManagedProcess process;

    /**
     * @param directory holds the extracted binary, the pid file and {@code redis.log}
     */
    public RedisServer(int port, Path directory) {
        this.port = port;
        this.directory = directory;
    }

    public synchronized void start() {
        if (process != null) {
            return;
        }
        stopLeftover(directory);
        FreePort.requireFree(port, "Redis");
        Path executable = executable();
        List<String> command = List.of(executable.toString(),
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--protected-mode", "no",
                "--daemonize", "no",
                "--save", "",
                "--appendonly", "no",
                "--dir", directory.toString());
        process = ManagedProcess.start("redis-server", command, Map.of(), directory.resolve("redis.log"), pidFile(directory));
        awaitPong(Duration.ofSeconds(20));
    }

    public synchronized void stop() {
        if (process == null) {
            return;
        }
        try {
            process.stop(Duration.ofSeconds(10));
        } finally {
            process = null;
        }
    }

    public synchronized boolean isRunning() {
        return process != null;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Sends one inline command and returns the first reply line, e.g. {@code +PONG}. */
    public String command(String inlineCommand) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write((inlineCommand + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }
    }

    static void stopLeftover(Path directory) {
        ManagedProcess.stopLeftover(pidFile(directory), "redis-server", "TERM", Duration.ofSeconds(10));
    }

    private static Path pidFile(Path directory) {
        return directory.resolve("redis.pid");
    }

    private Path executable() {
        Path onPath = findOnPath("redis-server");
        if (onPath != null) {
            return onPath;
        }
        try {
            Path binDirectory = Files.createDirectories(directory.resolve("bin"));
            return ExecutableProvider.newJarResourceProvider(binDirectory.toFile()).get().toPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the embedded redis-server binary", e);
        }
    }

    private static Path findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private void awaitPong(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited during start:\n" + process.tail(40));
            }
            try {
                if ("+PONG".equals(command("PING"))) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            sleep(50);
        }
        throw new IllegalStateException("Redis did not answer PING on port " + port + " within " + timeout + ": " + last
                + "\n" + process.tail(40));
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
