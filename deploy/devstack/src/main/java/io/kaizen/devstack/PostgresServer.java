package io.kaizen.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One embedded PostgreSQL 14 server (zonky binaries) holding one database per service, all owned by the user
 * {@code kaizen}. The data directory survives {@link #stop()}: a later {@link #start()} on the same port
 * finds every table again, which the health tests rely on when they take the database away and bring it back.
 */
public final class PostgresServer {

    public static final String USER = "kaizen";
    public static final String PASSWORD = "kaizen";
    public static final List<String> DATABASES = Arrays.stream(Service.values()).map(Service::database).toList();

    private static final String SUPERUSER = "postgres";

    private final int port;
    private final Path dataDirectory;
    private final Path logFile;
    private EmbeddedPostgres postgres;
    private OrphanGuard guard;

    /**
     * @param port          fixed loopback port
     * @param directory     holds {@code data/} (kept across restarts) and {@code postgres.log}
     */
    public PostgresServer(int port, Path directory) {
        this.port = port;
        this.dataDirectory = directory.resolve("data");
        this.logFile = directory.resolve("postgres.log");
    }

    public synchronized void start() {
        if (postgres != null) {
            return;
        }
        stopLeftover(dataDirectory);
        FreePort.requireFree(port, "PostgreSQL");
        try {
            Files.createDirectories(dataDirectory);
            Redirect log = Redirect.appendTo(logFile.toFile());
            postgres = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setOutputRedirector(log)
                    .setErrorRedirector(log)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // development data: a clean stop keeps it, a power cut may not
                    .setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "300")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL did not start on port " + port + "; see " + logFile, e);
        }
        postmasterPid(dataDirectory).ifPresent(pid -> guard = OrphanGuard.watch(pid, "INT"));
        createDatabases();
    }

    /** Fast shutdown: open connections are closed, the data directory is kept. */
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        if (guard != null) {
            guard.release();
            guard = null;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            postgres = null;
        }
    }

    public synchronized boolean isRunning() {
        return postgres != null;
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String reactiveUrl(String database) {
        return "postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A connection as {@value #USER}; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    /** Stops a postmaster that a dead earlier run left on this data directory. */
    static void stopLeftover(Path dataDirectory) {
        ManagedProcess.stopLeftover(dataDirectory.resolve("postmaster.pid"), "postgres", "INT", Duration.ofSeconds(15));
    }

    private static Optional<Long> postmasterPid(Path dataDirectory) {
        return ManagedProcess.readPid(dataDirectory.resolve("postmaster.pid"));
    }

    private void createDatabases() {
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, "");
             Statement statement = c.createStatement()) {
            statement.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + USER + "') THEN "
                    + "CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'; END IF; END $$");
            for (String database : DATABASES) {
                if (!exists(c, database)) {
                    statement.execute("CREATE DATABASE " + database + " OWNER " + USER);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the service databases on port " + port, e);
        }
    }

    private static boolean exists(Connection c, String database) throws SQLException {
        try (PreparedStatement query = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            query.setString(1, database);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next();
            }
        }
    }
}
