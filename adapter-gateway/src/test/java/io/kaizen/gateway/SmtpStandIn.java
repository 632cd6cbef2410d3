package io.kaizen.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import jakarta.mail.internet.MimeMessage;

/**
 * The mail server of the gateway's tests: a real SMTP server (GreenMail) in the test JVM, reached through a small
 * TCP relay that can greet a connection with an SMTP error instead (RFC 5321 §3.1: {@code 421} when the service is
 * not available for now, {@code 554} when there is none), so tests see how the gateway takes a transient and a
 * permanent refusal. Each mail takes its own connection ({@code quarkus.mailer.keep-alive=false}).
 */
public final class SmtpStandIn {

    private static SmtpStandIn shared;

    private final GreenMail server;
    private final ServerSocket relay;
    private final Queue<String> greetings = new ConcurrentLinkedQueue<>();
    private final AtomicInteger refused = new AtomicInteger();

    private SmtpStandIn() {
        server = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        server.start();
        try {
            relay = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "smtp-stand-in");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static synchronized SmtpStandIn start() {
        if (shared == null) {
            shared = new SmtpStandIn();
        }
        return shared;
    }

    /** The stand-in of this JVM, started with the gateway. */
    public static synchronized SmtpStandIn shared() {
        if (shared == null) {
            throw new IllegalStateException("the gateway tests' SMTP server was not started by GatewayTestResource");
        }
        return shared;
    }

    int port() {
        return relay.getLocalPort();
    }

    /** The next connections, one each, are greeted with these replies (e.g. {@code "421 4.3.2 busy"}) and closed. */
    public void refuseNext(String... replies) {
        greetings.addAll(List.of(replies));
    }

    /** Connections refused so far. */
    public int refused() {
        return refused.get();
    }

    /** Every message the server accepted. */
    public MimeMessage[] received() {
        return server.getReceivedMessages();
    }

    /** Forgets accepted messages and pending refusals. */
    public void reset() {
        greetings.clear();
        refused.set(0);
        server.reset();
    }

    private void accept() {
        while (true) {
            try {
                Socket client = relay.accept();
                String greeting = greetings.poll();
                if (greeting != null) {
                    try (client) {
                        client.getOutputStream().write((greeting + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        client.getOutputStream().flush();
                    }
                    refused.incrementAndGet();
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), server.getSmtp().getPort());
                pipe(client, upstream);
                pipe(upstream, client);
            } catch (IOException e) {
                if (relay.isClosed()) {
                    return;
                }
            }
        }
    }

    /** Copies bytes one way until either side closes, then closes both. */
    private static void pipe(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // the other direction closed the sockets
            } finally {
                close(from);
                close(to);
            }
        }, "smtp-stand-in-pipe");
        thread.setDaemon(true);
        thread.start();
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
