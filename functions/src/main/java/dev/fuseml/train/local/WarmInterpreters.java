package dev.fuseml.train.local;

import dev.fuseml.process.LoggedProcess;
import dev.fuseml.workspace.Workspaces;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * The training interpreters waiting for their runs on this machine: at most one per environment (an environment
 * belongs to one org, so a waiting interpreter is only ever taken by a run of that org), started when a training in
 * that environment ends, so that the next push of the app finds Python's imports done. What it imports is what the
 * environment's last training imported ({@link #learn}); before any, the top-level packages of the requirements.
 * One that waits longer than the idle time is retired (its memory, a Python with its libraries, given back).
 */
public final class WarmInterpreters implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WarmInterpreters.class.getName());
    /** A module name as Python spells one; anything else a training reported is dropped. */
    private static final Pattern MODULE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
    private static final int MODULE_LIMIT = 5000;
    private static final int IMPORTS_FILE_LIMIT = 512 * 1024;

    private final Path root;
    private final Duration idle;
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final Map<String, List<String>> imported = new ConcurrentHashMap<>();

    /**
     * @param root scratch for the interpreters' workspaces and the script ({@code DATA/work/.warm})
     * @param idle how long one may wait for its run; zero: none is started ahead (every training starts its own)
     */
    public WarmInterpreters(Path root, Duration idle) {
        this.root = root.toAbsolutePath().normalize();
        this.idle = idle;
        // what an earlier process left (its interpreters died with it): workspaces that no run will take
        Workspaces.delete(this.root);
    }

    /** Retires waiting interpreters once they waited their idle time (a daemon: it never holds the JVM up). */
    private static final java.util.concurrent.ScheduledExecutorService RETIRER = java.util.concurrent.Executors
            .newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fuseml-warm-interpreters");
                t.setDaemon(true);
                return t;
            });

    private boolean written;

    /** The script the interpreters run (this build's), written where their sandboxes can read it. */
    Path script() throws IOException {
        Path script = root.resolve("fuseml_warm.py");
        synchronized (this) {
            if (!written) {
                Files.createDirectories(root);
                try (InputStream in = WarmInterpreters.class.getResourceAsStream("/train/fuseml_warm.py")) {
                    Path partial = root.resolve("fuseml_warm.py." + UUID.randomUUID());
                    Files.copy(in, partial);
                    Files.move(partial, script, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
                written = true;
            }
        }
        return script;
    }

    /** A new, empty workspace for an interpreter (code, model and home go in it). */
    Path workspace() throws IOException {
        return Files.createDirectories(root.resolve(UUID.randomUUID().toString()));
    }

    /** An interpreter that waits, and the build of its environment it was started in ({@code Venvs.buildMark}). */
    private record Waiting(WarmInterpreter interpreter, String build) {
    }

    /**
     * The interpreter waiting for the next training in {@code environment}, if one waits, is alive and was started
     * in the environment's current build ({@code build}): one started before the environment was built again (a
     * process had changed it) may have run what was changed, and is ended instead.
     */
    Optional<WarmInterpreter> take(String environment, String build) {
        Waiting found = waiting.remove(environment);
        if (found == null) {
            return Optional.empty();
        }
        WarmInterpreter warm = found.interpreter();
        if (expired(warm) || !found.build().equals(build)) {
            discard(warm);
            return Optional.empty();
        }
        return Optional.of(warm);
    }

    /**
     * What the environment's trainings import, for its next interpreter: the first {@value #MODULE_LIMIT} module
     * names of the file a training wrote, read without following a link (the training could have put one there,
     * pointing at a file of the orchestrator's) and kept only where each is a module name.
     */
    void learn(String environment, Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return; // checked before opening: a FIFO would block the open (the training's processes are gone)
        }
        try (SeekableByteChannel in = Files.newByteChannel(file, Set.of(StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS))) {
            if (in.size() > IMPORTS_FILE_LIMIT) {
                return;
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) in.size());
            while (bytes.hasRemaining() && in.read(bytes) > 0) {
                // read it all
            }
            List<String> names = new ArrayList<>();
            for (String line : new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8).split("\n")) {
                if (MODULE.matcher(line).matches() && names.size() < MODULE_LIMIT) {
                    names.add(line);
                }
            }
            imported.put(environment, List.copyOf(names));
        } catch (IOException e) {
            // none written (the training was killed, say): the last list stays
        }
    }

    /**
     * Starts an interpreter for the next training in {@code environment}, unless one waits or none are kept;
     * {@code starter} makes the process for a workspace (the environment's Python on the script, confined to it).
     */
    void prepare(String environment, String build, Collection<String> distributions,
            BiFunction<Path, Path, LoggedProcess> starter) {
        if (idle.isZero() || idle.isNegative() || waiting.containsKey(environment)) {
            return;
        }
        try {
            Path workspace = workspace();
            WarmInterpreter warm = WarmInterpreter.start(workspace, starter.apply(workspace, script()),
                    imported.getOrDefault(environment, List.of()), distributions);
            Waiting earlier = waiting.putIfAbsent(environment, new Waiting(warm, build));
            if (earlier != null) {
                discard(warm);
            } else {
                RETIRER.schedule(this::retireIdle, idle.toMillis() + 100, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not start a training interpreter ahead for {0}: {1}",
                    environment, e.toString());
        }
    }

    /** What the environment's next interpreter imports (for tests and the run's log). */
    List<String> imports(String environment) {
        return imported.getOrDefault(environment, List.of());
    }

    /** Retires interpreters that waited longer than the idle time. */
    void retireIdle() {
        waiting.forEach((environment, found) -> {
            WarmInterpreter warm = found.interpreter();
            if (expired(warm) && waiting.remove(environment, found)) {
                discard(warm);
            }
        });
    }

    /** Whether a waiting interpreter can no longer be taken: it died, or waited longer than the idle time. */
    private boolean expired(WarmInterpreter warm) {
        return !warm.alive() || warm.age().compareTo(idle) > 0;
    }

    /** Ends an interpreter that will serve no run, and removes its workspace. */
    static void discard(WarmInterpreter warm) {
        warm.close();
        try {
            Workspaces.delete(warm.workspace());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove {0}: {1}", warm.workspace(), e.toString());
        }
    }

    @Override
    public void close() {
        waiting.keySet().forEach(environment -> {
            Waiting found = waiting.remove(environment);
            if (found != null) {
                discard(found.interpreter());
            }
        });
    }
}
