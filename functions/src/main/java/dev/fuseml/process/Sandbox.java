package dev.fuseml.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Where users' code runs on one machine (training, pip, prediction workers): with bubblewrap, in mount, PID and IPC
 * namespaces of its own, the whole file system read-only, the orchestrator's own places ({@code hidden}: the
 * user's home with the CLI's config and tokens, the data dir with every org's codesets, models and environments)
 * replaced by empty directories, a private {@code /tmp} and {@code /proc} (no other process, the orchestrator's
 * {@code environ} among them, is visible), and only what the process needs put back: its workspace writable, its
 * environment and model read-only. Without bubblewrap (not installed, or the kernel refuses namespaces) code runs
 * unconfined, and {@link #status()} says so for {@code fuseml install} and {@code fuseml status}.
 */
public final class Sandbox {
    /**
     * What one process may see besides the read-only system: its own HOME (made, writable), the paths it may write
     * and the paths it may read.
     */
    public record Mounts(Path home, List<Path> writable, List<Path> readable) {
        public Mounts {
            writable = List.copyOf(writable);
            readable = List.copyOf(readable);
        }
    }

    private final Path bwrap;
    private final List<Path> hidden;
    private final String status;

    private Sandbox(Path bwrap, List<Path> hidden, String status) {
        this.bwrap = bwrap;
        this.hidden = List.copyOf(hidden);
        this.status = status;
    }

    /** No isolation, with the reason shown to the user. */
    public static Sandbox none(String reason) {
        return new Sandbox(null, List.of(), "none: " + reason);
    }

    /**
     * Bubblewrap when {@code wanted} and it works here (it is tried once), else {@link #none}.
     *
     * @param hidden the orchestrator's own directories and files, which no user process may read
     */
    public static Sandbox detect(boolean wanted, List<Path> hidden) {
        if (!wanted) {
            return none("switched off (fuseml.sandbox=false): users' code can read what the orchestrator can");
        }
        Optional<Path> found = onPath("bwrap");
        if (found.isEmpty()) {
            return none("bubblewrap is not installed: users' code can read what the orchestrator can (its config, "
                    + "every org's data); install it (apt-get install bubblewrap) and restart FuseML");
        }
        Sandbox sandbox = new Sandbox(found.get(), normalised(hidden), "bubblewrap (" + found.get() + "): users' "
                + "code sees the system read-only, its own workspace, environment and model, and no other process");
        String refusal = sandbox.probe();
        return refusal == null ? sandbox : none("bubblewrap cannot make namespaces here (" + refusal + "): users' "
                + "code can read what the orchestrator can; allow unprivileged user namespaces "
                + "(sysctl kernel.unprivileged_userns_clone=1) and restart FuseML");
    }

    /**
     * The one thread that starts sandboxed processes. Bubblewrap's {@code --die-with-parent} ties the sandbox's life
     * to the thread that started it (Linux's parent-death signal follows the parent thread, not the process): started
     * from a pool thread that later retires, a prediction worker would be killed with it. This thread lives as long
     * as the JVM, so a sandbox dies exactly when the orchestrator does.
     */
    private static final java.util.concurrent.ExecutorService LAUNCHER = java.util.concurrent.Executors
            .newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "fuseml-sandbox-launcher");
                t.setDaemon(true);
                return t;
            });

    /** Starts {@code builder}'s process from {@link #LAUNCHER}. */
    public static Process start(ProcessBuilder builder) throws IOException {
        try {
            return LAUNCHER.submit(builder::start).get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot start " + builder.command().get(0) + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while starting " + builder.command().get(0));
        }
    }

    /** Whether users' code runs confined. */
    public boolean isolates() {
        return bwrap != null;
    }

    /** One line for the user: how users' code runs, and what to do when it is not confined. */
    public String status() {
        return status;
    }

    /** The command line that runs {@code command} in the sandbox, in {@code directory} (the command itself without one). */
    public List<String> wrap(List<String> command, Mounts mounts, Path directory) {
        if (bwrap == null) {
            return command;
        }
        List<String> argv = new ArrayList<>(List.of(bwrap.toString(), "--die-with-parent", "--new-session",
                "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"));
        for (Path h : hidden) {
            if (Files.isDirectory(h)) {
                argv.addAll(List.of("--tmpfs", h.toString()));
            } else if (Files.exists(h)) {
                argv.addAll(List.of("--ro-bind", "/dev/null", h.toString()));
            }
        }
        Set<Path> readable = new LinkedHashSet<>();
        for (Path r : mounts.readable()) {
            readable.add(r.toAbsolutePath().normalize());
        }
        for (Path r : concat(mounts.readable(), mounts.writable())) {
            interpreterOf(r).ifPresent(readable::add); // a venv's python is a link into its base installation
        }
        for (Path r : readable) { // bound even where not hidden: /tmp, say, is the sandbox's own
            if (Files.exists(r)) {
                argv.addAll(List.of("--ro-bind", r.toString(), r.toString()));
            }
        }
        List<Path> writable = new ArrayList<>(mounts.writable());
        if (mounts.home() != null) {
            writable.add(mounts.home());
        }
        for (Path w : writable) {
            Path p = w.toAbsolutePath().normalize();
            argv.addAll(List.of("--bind", p.toString(), p.toString()));
        }
        if (directory != null) {
            argv.addAll(List.of("--chdir", directory.toAbsolutePath().normalize().toString()));
        }
        argv.add("--");
        argv.addAll(command);
        return argv;
    }

    private static List<Path> concat(List<Path> a, List<Path> b) {
        List<Path> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The base installation a venv's interpreter links into (its pyvenv.cfg names it), when hidden otherwise. */
    private Optional<Path> interpreterOf(Path venv) {
        Path cfg = venv.resolve("pyvenv.cfg");
        if (!Files.isRegularFile(cfg)) {
            return Optional.empty();
        }
        try {
            for (String line : Files.readAllLines(cfg)) {
                String[] kv = line.split("=", 2);
                if (kv.length == 2 && kv[0].strip().equals("home")) {
                    Path bin = Path.of(kv[1].strip()).toRealPath();
                    return Optional.ofNullable(bin.getParent());
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Runs {@code true} in an empty sandbox; null when it worked, else what bubblewrap said. */
    private String probe() {
        try {
            Process p = new ProcessBuilder(wrap(List.of("true"), new Mounts(null, List.of(), List.of()), null))
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            boolean done = p.waitFor(10, TimeUnit.SECONDS);
            String said = new String(p.getInputStream().readNBytes(1000)).strip();
            if (!done) {
                p.destroyForcibly();
                return "it did not answer in 10 s";
            }
            return p.exitValue() == 0 ? null : said.isEmpty() ? "exit code " + p.exitValue() : said;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static List<Path> normalised(List<Path> paths) {
        return paths.stream().filter(p -> p != null).map(p -> p.toAbsolutePath().normalize()).distinct().toList();
    }

    private static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }
}
