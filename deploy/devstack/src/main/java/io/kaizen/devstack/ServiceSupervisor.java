package io.kaizen.devstack;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Starts again a service of {@code ./kaizen up} that exited on its own — a crash, or
 * {@code -XX:+ExitOnOutOfMemoryError} — as Kubernetes restarts a pod's container: once a second it looks for a
 * service whose process is gone, says so and starts it on the same port, then waits for it to be ready. A service
 * that exits again within a minute of a start waits twice as long as before its next start, up to a minute, so one
 * that cannot start does not keep the machine busy. The cross-service tests start and crash services themselves and
 * do not use it.
 */
public final class ServiceSupervisor implements AutoCloseable {

    private static final Duration CHECK = Duration.ofSeconds(1);
    private static final Duration STABLE = Duration.ofMinutes(1);
    private static final Duration MAX_BACK_OFF = Duration.ofMinutes(1);

    private final Map<Service, Supervised> services = new EnumMap<>(Service.class);
    private final Function<Service, ServiceLauncher> start;
    private final Consumer<String> progress;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kaizen-service-supervisor");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closed;

    /** A watched service: its current launcher, when it was started, and when a noticed exit may be restarted. */
    private static final class Supervised {
        ServiceLauncher launcher;
        long startedAt = System.nanoTime();
        Duration backOff = Duration.ZERO;
        boolean exited;
        long restartAt;

        Supervised(ServiceLauncher launcher) {
            this.launcher = launcher;
        }
    }

    private ServiceSupervisor(Map<Service, ServiceLauncher> launched, Function<Service, ServiceLauncher> start,
            Consumer<String> progress) {
        launched.forEach((service, launcher) -> services.put(service, new Supervised(launcher)));
        this.start = start;
        this.progress = progress;
    }

    /**
     * Watches services already started and ready.
     *
     * @param start starts one service again (same port, same configuration) without waiting for it
     */
    public static ServiceSupervisor watch(Map<Service, ServiceLauncher> launched, Function<Service, ServiceLauncher> start,
            Consumer<String> progress) {
        ServiceSupervisor supervisor = new ServiceSupervisor(launched, start, progress);
        supervisor.timer.scheduleWithFixedDelay(supervisor::check, CHECK.toMillis(), CHECK.toMillis(),
                TimeUnit.MILLISECONDS);
        return supervisor;
    }

    /** The service's current launcher (a new one after each start). */
    public synchronized ServiceLauncher launcher(Service service) {
        return services.get(service).launcher;
    }

    /**
     * Stops watching, before the services are stopped on purpose. A start under way stops waiting for readiness; its
     * process is already registered with the stack, which stops it with the others.
     */
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void check() {
        for (Map.Entry<Service, Supervised> entry : services.entrySet()) {
            if (closed || Thread.currentThread().isInterrupted()) {
                return;
            }
            Service service = entry.getKey();
            Supervised supervised = entry.getValue();
            if (!supervised.exited) {
                if (supervised.launcher.isAlive()) {
                    continue;
                }
                noticeExit(service, supervised);
            }
            if (System.nanoTime() < supervised.restartAt) {
                continue;
            }
            try {
                restart(service, supervised);
            } catch (RuntimeException e) {
                // not ready (its process is looked at again at the next check) or not even started (tried again
                // after a longer wait)
                supervised.backOff = min(max(supervised.backOff.multipliedBy(2), CHECK), MAX_BACK_OFF);
                supervised.restartAt = System.nanoTime() + supervised.backOff.toNanos();
                progress.accept(service.module() + " did not start again: "
                        + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            }
        }
    }

    /** A service that exited within a minute of its start waits twice as long as the last time (1 s at first). */
    private void noticeExit(Service service, Supervised supervised) {
        boolean early = System.nanoTime() - supervised.startedAt < STABLE.toNanos();
        supervised.backOff = !early ? Duration.ZERO
                : supervised.backOff.isZero() ? CHECK
                : min(supervised.backOff.multipliedBy(2), MAX_BACK_OFF);
        supervised.exited = true;
        supervised.restartAt = System.nanoTime() + supervised.backOff.toNanos();
        progress.accept(String.format("%s exited; starting it again in %d s (its log: %s)", service.module(),
                supervised.backOff.toSeconds(), supervised.launcher.logFile()));
    }

    private void restart(Service service, Supervised supervised) {
        supervised.launcher.stop();
        ServiceLauncher next = start.apply(service);
        synchronized (this) {
            supervised.launcher = next;
        }
        supervised.startedAt = System.nanoTime();
        supervised.exited = false;
        next.awaitReady(ServiceLauncher.READY_TIMEOUT);
        progress.accept(service.module() + " ready again on " + next.url());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
