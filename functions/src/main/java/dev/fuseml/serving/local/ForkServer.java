package dev.fuseml.serving.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.process.LoggedProcess;
import dev.fuseml.process.Sandbox;
import dev.fuseml.state.JsonFiles;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The warm parent of one environment's prediction workers: a Python process ({@code fuseml_worker.py
 * --fork-server}) that has imported numpy, pandas and scikit-learn once and forks a worker on request. A forked
 * worker is ready in milliseconds (its imports shared copy-on-write) where a new process takes seconds, so a burst
 * that needs another worker does not wait for one, and an app scaled to zero answers its next request at once.
 *
 * <p>A child connects back to this JVM over loopback (a pipe cannot be handed to a forked process from here) and
 * proves itself with a one-time 256-bit token. The parent reports children's ends, which is how a forked worker's
 * death is noticed while it is idle. Closing the fork server closes its stdin: it forks no more and exits when its
 * last child has ended, so retiring it never cuts off a worker in use.
 */
final class ForkServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ForkServer.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int TOKEN_LINE_LIMIT = 128;

    private final Process process;
    private final BufferedWriter commands;
    private final ServerSocket listener;
    private final Map<String, Child> children = new ConcurrentHashMap<>();
    private volatile String failure;

    private ForkServer(Process process, ServerSocket listener) {
        this.process = process;
        this.listener = listener;
        this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Starts the fork server of an environment in {@code sandbox} (confined to {@code mounts}, as its workers are)
     * and waits until it has imported its libraries. Its stderr, and its workers', goes to {@code log}.
     */
    static ForkServer start(Path python, Path script, Path log, Duration timeout, Sandbox sandbox,
            Sandbox.Mounts mounts) throws IOException {
        Files.createDirectories(log.getParent());
        Map<String, String> own = new java.util.LinkedHashMap<>();
        List<String> command = sandbox.wrap(List.of(python.toString(), "-u", script.toString(), "--fork-server"),
                LoggedProcess.prepare(mounts, own), null);
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(
                log.toFile()));
        // The model's code runs in its children: they see the machine's basics, none of the orchestrator's variables.
        builder.environment().clear();
        builder.environment().putAll(LoggedProcess.basics());
        builder.environment().putAll(own);
        // the environment is shared with the app's other versions and apps: no process may write into it
        builder.environment().put(dev.fuseml.build.local.Venvs.NO_BYTECODE_ENV, "1");
        ServerSocket listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Process process;
        try {
            process = Sandbox.start(builder);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        ForkServer server = new ForkServer(process, listener);
        BufferedReader reports = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        if (!ready(reports, timeout)) {
            server.close();
            process.destroyForcibly();
            throw new IOException("the prediction workers' fork server did not start with " + python + " (see "
                    + log + ")");
        }
        Thread reader = new Thread(() -> server.read(reports), "fork-server-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        return server;
    }

    private static boolean ready(BufferedReader reports, Duration timeout) {
        String text = PythonWorker.readLine(reports, timeout);
        try {
            return text != null && JsonFiles.MAPPER.readTree(text).path("forkServer").asBoolean();
        } catch (IOException e) {
            return false; // not the fork server's greeting: whatever it is, the log says more
        }
    }

    /** The loopback port forked workers connect back to (for tests). */
    int port() {
        return listener.getLocalPort();
    }

    /** The parent's reports: children that ended, forks that failed. */
    private void read(BufferedReader reports) {
        try {
            for (String line; (line = reports.readLine()) != null; ) {
                JsonNode report = JsonFiles.MAPPER.readTree(line);
                if (report.has("exited")) {
                    Child child = children.remove(report.get("exited").asText());
                    if (child != null) {
                        child.exited(report.path("status").asText("unknown"));
                    }
                } else if (report.has("error")) {
                    failure = report.get("error").asText();
                    LOG.log(System.Logger.Level.WARNING, "the fork server could not fork a worker: {0}", failure);
                }
            }
        } catch (IOException e) {
            // the parent ended; below, every child it had is reported gone
        }
        for (Child child : List.copyOf(children.values())) {
            child.exited("unknown: its fork server ended");
        }
        children.clear();
    }

    boolean alive() {
        return process.isAlive() && !listener.isClosed();
    }

    /** Children that have not ended yet. */
    int children() {
        return children.size();
    }

    /** A new worker, forked from the warm parent and connected; it has no model yet. */
    synchronized PythonWorker fork(Duration timeout) throws IOException {
        if (!alive()) {
            throw new IOException("the fork server has ended");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        Child child = new Child(token);
        children.put(token, child);
        failure = null;
        commands.write("{\"fork\":\"" + token + "\",\"port\":" + listener.getLocalPort() + "}");
        commands.newLine();
        commands.flush();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0 || !process.isAlive() || failure != null) {
                children.remove(token);
                throw new IOException("no worker was forked" + (failure != null ? ": " + failure
                        : process.isAlive() ? " within " + timeout.toSeconds() + " s" : ": the fork server ended"));
            }
            listener.setSoTimeout((int) Math.min(left, 250));
            Socket socket;
            try {
                socket = listener.accept();
            } catch (SocketTimeoutException notYet) {
                continue;
            }
            if (!token.equals(firstLine(socket))) {
                socket.close(); // not the child we forked (a stranger on loopback, or a stale child)
                continue;
            }
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(0);
            child.connected(socket);
            PythonWorker worker = new PythonWorker(socket.getInputStream(), socket.getOutputStream(), child);
            if (!worker.awaitReady(timeout)) {
                worker.close();
                throw new IOException("the forked worker did not answer");
            }
            return worker;
        }
    }

    /** The token line, read byte by byte so that nothing after it is taken from the worker's stream. */
    private static String firstLine(Socket socket) throws IOException {
        socket.setSoTimeout(5_000);
        StringBuilder line = new StringBuilder();
        var in = socket.getInputStream();
        try {
            for (int b; (b = in.read()) != -1 && b != '\n'; ) {
                if (line.length() >= TOKEN_LINE_LIMIT) {
                    return null;
                }
                line.append((char) b);
            }
        } catch (SocketTimeoutException e) {
            return null;
        }
        return line.toString();
    }

    private void kill(String token) {
        try {
            synchronized (this) {
                commands.write("{\"kill\":\"" + token + "\"}");
                commands.newLine();
                commands.flush();
            }
        } catch (IOException e) {
            // the parent is gone, and its children with it
        }
    }

    /** Forks no more; the parent exits once its last child has ended. */
    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closed already
        }
        try {
            synchronized (this) {
                commands.close();
            }
        } catch (IOException ignored) {
            // the parent is gone
        }
    }

    /** A forked worker's life as its parent reports it. */
    private final class Child implements PythonWorker.Life {
        private final String token;
        private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        private volatile String exitCode;
        private volatile Socket socket;

        Child(String token) {
            this.token = token;
        }

        void connected(Socket socket) {
            this.socket = socket;
        }

        void exited(String code) {
            exitCode = code;
            ended.countDown();
        }

        @Override
        public boolean alive() {
            return exitCode == null;
        }

        @Override
        public String exitCode() {
            try {
                ended.await(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return exitCode == null ? "none yet" : exitCode;
        }

        @Override
        public void stop() {
            try {
                Socket s = socket;
                if (s != null) {
                    s.close(); // the worker's request stream ends: it exits
                }
                if (!ended.await(3, TimeUnit.SECONDS)) {
                    kill(token);
                }
            } catch (IOException ignored) {
                // closed already
            } catch (InterruptedException e) {
                kill(token);
                Thread.currentThread().interrupt();
            }
        }
    }

    /** For tests: the parent's own process. */
    ProcessHandle handle() {
        return process.toHandle();
    }
}
