package dev.fuseml.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A child process whose output (stdout and stderr, merged) goes line by line to a log, with a time limit. A command
 * object in the manner of JGit's porcelain: set what you need, then {@link #run()}.
 */
public final class LoggedProcess {
    /** How the process ended. */
    public record Result(int exitCode, boolean timedOut, Duration elapsed) {
        public boolean ok() {
            return !timedOut && exitCode == 0;
        }
    }

    private final List<String> command;
    private Path directory;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Duration timeout = Duration.ofMinutes(30);
    private Consumer<String> output = line -> {
    };
    private Path pidFile;
    private boolean minimal;
    private String supervisor;
    private Sandbox sandbox;
    private Sandbox.Mounts mounts;

    /** Variables a user's process may see of this process's environment; everything else stays here. */
    private static final java.util.Set<String> BASICS = java.util.Set.of("PATH", "HOME", "LANG", "LC_ALL", "TZ",
            "TMPDIR", "USER", "LOGNAME", "SHELL", "TERM");

    private LoggedProcess(List<String> command) {
        this.command = List.copyOf(command);
    }

    public static LoggedProcess of(List<String> command) {
        return new LoggedProcess(command);
    }

    public static LoggedProcess of(String... command) {
        return new LoggedProcess(List.of(command));
    }

    public LoggedProcess directory(Path dir) {
        this.directory = dir;
        return this;
    }

    public LoggedProcess environment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    public LoggedProcess timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    public LoggedProcess output(Consumer<String> lines) {
        this.output = lines;
        return this;
    }

    /**
     * Records the process in {@code file} while it runs, so that a later attempt can stop it if this JVM dies
     * without stopping it ({@link #stopRecorded}).
     */
    public LoggedProcess pidFile(Path file) {
        this.pidFile = file;
        return this;
    }

    /**
     * What runs between this JVM and the command when it must die with the JVM: a few lines of Python (a constant,
     * nothing of the command is interpreted) that start the command in a session of its own and kill that session
     * when their stdin, a pipe from this JVM, closes. The kernel closes it when the JVM dies in any way, kill -9
     * included, so training, pip and their children never outlive the orchestrator.
     */
    static final String SUPERVISOR = String.join("\n",
            "import os, signal, subprocess, sys, threading",
            "child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, start_new_session=True)",
            "def stop(*_):",
            "    try:",
            "        os.killpg(child.pid, signal.SIGKILL)",
            "    except OSError:",
            "        pass",
            "def watch():",
            "    try:",
            "        while os.read(0, 65536):",
            "            pass",
            "    except OSError:",
            "        pass",
            "    stop()",
            "    os._exit(137)",
            "threading.Thread(target=watch, daemon=True).start()",
            "signal.signal(signal.SIGTERM, lambda *_: (stop(), os._exit(143)))",
            "code = child.wait()",
            "stop()",
            "sys.exit(code if code >= 0 else 128 - code)");

    /**
     * Runs the command under {@link #SUPERVISOR} with {@code python}, so that it dies when this JVM dies (the
     * recorded pid is the supervisor's; stopping it stops the command too).
     */
    public LoggedProcess diesWithThisProcess(String python) {
        this.supervisor = python;
        return this;
    }

    /**
     * Stops the process recorded in {@code file} (and its children) if it still runs: an attempt of a step that
     * the killed JVM left behind must not go on beside the new one.
     */
    public static boolean stopRecorded(Path file) {
        try {
            if (!java.nio.file.Files.isRegularFile(file)) {
                return false;
            }
            String[] parts = java.nio.file.Files.readString(file).trim().split(" ");
            long pid = Long.parseLong(parts[0]);
            long started = Long.parseLong(parts[1]);
            var handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().startInstant().map(i -> i.toEpochMilli() == started).orElse(false));
            if (handle.isEmpty()) {
                return false;
            }
            handle.get().descendants().forEach(ProcessHandle::destroyForcibly);
            handle.get().destroyForcibly();
            handle.get().onExit().get(10, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        } finally {
            try {
                java.nio.file.Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the next attempt overwrites it
            }
        }
    }

    /**
     * Starts the process with a minimal environment: the machine's basics ({@link #BASICS}), pip's own settings
     * ({@code PIP_*}, which point it at the user's package index) and what was set with {@link #environment}; none
     * of the orchestrator's own variables (credentials, tokens) reach the user's code or its log.
     */
    public LoggedProcess minimalEnvironment() {
        this.minimal = true;
        return this;
    }

    /** The environment a user's process gets from this process (see {@link #minimalEnvironment()}). */
    public static Map<String, String> basics() {
        Map<String, String> kept = new LinkedHashMap<>();
        System.getenv().forEach((name, value) -> {
            if (BASICS.contains(name) || name.startsWith("PIP_")) {
                kept.put(name, value);
            }
        });
        return kept;
    }

    /**
     * Runs the command as users' code runs: with a HOME and a temporary directory of its own ({@code mounts.home()},
     * made here), in {@code sandbox} when it isolates, seeing only {@code mounts} of the orchestrator's places.
     * pip's settings live in the user's pip config, under the HOME the process no longer has: it is named with
     * {@code PIP_CONFIG_FILE} (and made readable) so that pip still finds the package index.
     */
    public LoggedProcess confined(Sandbox sandbox, Sandbox.Mounts mounts) {
        this.sandbox = sandbox;
        this.mounts = mounts;
        return this;
    }

    /** The environment and mounts of a confined process: HOME, TMPDIR, pip's config. */
    public static Sandbox.Mounts prepare(Sandbox.Mounts mounts, Map<String, String> env) throws IOException {
        Path home = mounts.home().toAbsolutePath().normalize();
        java.nio.file.Files.createDirectories(home.resolve("tmp"));
        env.put("HOME", home.toString());
        env.put("TMPDIR", home.resolve("tmp").toString());
        List<Path> readable = new java.util.ArrayList<>(mounts.readable());
        if (!env.containsKey("PIP_CONFIG_FILE") && System.getenv("PIP_CONFIG_FILE") == null) {
            Path pipConfig = Path.of(System.getProperty("user.home"), ".config", "pip", "pip.conf");
            if (java.nio.file.Files.isRegularFile(pipConfig)) {
                env.put("PIP_CONFIG_FILE", pipConfig.toString());
                readable.add(pipConfig);
            }
        }
        return new Sandbox.Mounts(home, mounts.writable(), readable);
    }

    public Result run() throws IOException, InterruptedException {
        long started = System.nanoTime();
        Process process = start();
        if (supervisor == null) {
            process.getOutputStream().close();
        } // else the pipe stays open as long as this JVM wants the command to live
        return follow(process, output, timeout, pidFile, started);
    }

    /**
     * Starts the command as {@link #run} would, without waiting for it: its stdin stays open (a pipe from this JVM,
     * for a process that takes its work there) and its output is the caller's to read ({@link #follow}). The pid
     * file, when set, records it.
     */
    public Process start() throws IOException {
        List<String> argv = command;
        Map<String, String> env = new LinkedHashMap<>(environment);
        if (sandbox != null) {
            Sandbox.Mounts prepared = prepare(mounts, env);
            argv = sandbox.wrap(command, prepared, directory);
        }
        if (supervisor != null) {
            List<String> supervised = argv;
            argv = new java.util.ArrayList<>(List.of(supervisor, "-c", SUPERVISOR));
            argv.addAll(supervised);
        }
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        if (minimal) {
            builder.environment().clear();
            builder.environment().putAll(basics());
        }
        builder.environment().putAll(env);
        Process process = dev.fuseml.process.Sandbox.start(builder);
        if (pidFile != null) {
            record(process, pidFile);
        }
        return process;
    }

    /** Records {@code process} in {@code file} for {@link #stopRecorded}. */
    public static void record(Process process, Path file) throws IOException {
        java.nio.file.Files.createDirectories(file.getParent());
        java.nio.file.Files.writeString(file, process.pid() + " " + process.info().startInstant()
                .map(java.time.Instant::toEpochMilli).orElse(0L));
    }

    /**
     * Passes a started process's output, line by line, to {@code output} until it ends, and kills it (with its
     * descendants) when {@code timeout} passes first or this thread is interrupted; the pid file, when given, is
     * removed once it ended. {@code started}: its {@link System#nanoTime()} start, for the elapsed time.
     */
    public static Result follow(Process process, Consumer<String> output, Duration timeout, Path pidFile,
            long started) throws IOException, InterruptedException {
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    output.accept(line);
                }
            } catch (IOException ignored) {
                // the process was killed; what it wrote so far is in the log
            }
        }, "process-output");
        pump.setDaemon(true);
        pump.start();
        try {
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                kill(process);
            }
            pump.join(5_000);
            closeQuietly(process);
            if (pidFile != null) {
                java.nio.file.Files.deleteIfExists(pidFile);
            }
            return new Result(finished ? process.exitValue() : -1, !finished,
                    Duration.ofNanos(System.nanoTime() - started));
        } catch (InterruptedException e) {
            kill(process);
            closeQuietly(process);
            throw e;
        }
    }

    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
