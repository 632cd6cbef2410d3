package io.kaizen.devstack;

import kafka.Kafka;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Entry point of the broker JVM that {@link KafkaBroker} starts: formats the KRaft storage the first time,
 * runs {@code kafka.Kafka}, and exits (through Kafka's own clean shutdown hook) as soon as the parent process
 * is gone, so a killed test JVM never leaves a broker behind.
 *
 * <p>Usage: {@code KafkaBrokerMain <parent-pid> <server.properties>}
 */
public final class KafkaBrokerMain {

    private static final long POLL_MILLIS = 1000;
    private static final long SHUTDOWN_GRACE_MILLIS = 30_000;

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: KafkaBrokerMain <parent-pid> <server.properties>");
            System.exit(2);
        }
        long parentPid = Long.parseLong(args[0]);
        String properties = args[1];
        watchParent(parentPid);

        if (!formatted(properties)) {
            int status = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", properties}, System.out);
            if (status != 0) {
                System.err.println("kafka storage format failed with exit code " + status);
                System.exit(status);
            }
        }
        Kafka.main(new String[] {properties});
    }

    /** A restart keeps the log directory and the cluster id formatted into it the first time. */
    private static boolean formatted(String properties) {
        Properties config = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of(properties))) {
            config.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + properties, e);
        }
        return Files.exists(Path.of(config.getProperty("log.dirs")).resolve("meta.properties"));
    }

    private static void watchParent(long parentPid) {
        Thread watcher = new Thread(() -> {
            while (ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("parent process " + parentPid + " is gone, shutting the broker down");
            Thread halt = new Thread(() -> {
                try {
                    Thread.sleep(SHUTDOWN_GRACE_MILLIS);
                } catch (InterruptedException ignored) {
                    // halting anyway below
                }
                Runtime.getRuntime().halt(1);
            }, "kaizen-broker-halt");
            halt.setDaemon(true);
            halt.start();
            System.exit(0);
        }, "kaizen-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
