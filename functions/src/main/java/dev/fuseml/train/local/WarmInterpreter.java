package dev.fuseml.train.local;

import dev.fuseml.process.LoggedProcess;
import dev.fuseml.state.JsonFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One training interpreter ({@code fuseml_warm.py} on the environment's Python), started in its own workspace and
 * sandbox before its run: it imports what the environment's trainings import, then waits for the one run it will
 * serve. Python's imports (numpy, pandas, scikit-learn: about 1.3 s of the wine example's 1.4 s) are then done when
 * the run comes. Its workspace is the run's: the code is put in {@link #workspace()}, the model comes out of it.
 */
final class WarmInterpreter implements AutoCloseable {
    private final Path workspace;
    private final Process process;
    private final long started;

    private WarmInterpreter(Path workspace, Process process) {
        this.workspace = workspace;
        this.process = process;
        this.started = System.nanoTime();
    }

    /**
     * Starts {@code process} (the environment's Python running {@code fuseml_warm.py}, confined to
     * {@code workspace}) and gives it what to import: {@code preload} (the modules the environment's last training
     * imported) and the top-level packages of {@code distributions}.
     */
    static WarmInterpreter start(Path workspace, LoggedProcess process, Collection<String> preload,
            Collection<String> distributions) throws IOException {
        WarmInterpreter warm = new WarmInterpreter(workspace, process.start());
        try {
            warm.send(Map.of("preload", List.copyOf(preload), "distributions", List.copyOf(distributions)));
        } catch (IOException e) {
            warm.close();
            throw e;
        }
        return warm;
    }

    /** The run's workspace (code, model, metrics, home), writable by the interpreter and nothing else of its run. */
    Path workspace() {
        return workspace;
    }

    /** Whether it can still take its run (it may have died while it imported). */
    boolean alive() {
        return process.isAlive();
    }

    /** How long ago it was started. */
    Duration age() {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /**
     * Runs {@code argv} (a Python script and its arguments) in {@code cwd} with {@code env} added: its output goes
     * to {@code output}, it is killed after {@code timeout}, and it is recorded in {@code pidFile} while it runs.
     * The modules it imported are written to {@code imports}.
     */
    LoggedProcess.Result run(List<String> argv, Path cwd, Map<String, String> env, Path imports,
            Consumer<String> output, Duration timeout, Path pidFile) throws IOException, InterruptedException {
        long began = System.nanoTime();
        LoggedProcess.record(process, pidFile);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("argv", argv);
        run.put("cwd", cwd.toAbsolutePath().toString());
        run.put("env", env);
        run.put("imports", imports.toAbsolutePath().toString());
        try {
            send(run);
        } catch (IOException e) {
            // it died: what it printed says why, and its exit code is the run's
        }
        return LoggedProcess.follow(process, output, timeout, pidFile, began);
    }

    private void send(Map<String, ?> line) throws IOException {
        OutputStream control = process.getOutputStream();
        control.write((JsonFiles.MAPPER.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
        control.flush();
    }

    /**
     * Closes its control pipe: waiting, it exits; running, it kills itself with every process it started (the
     * script's own rule, which is what ends it when this JVM dies). Then whatever is left is killed from here.
     */
    @Override
    public void close() {
        closeControl();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Only closes the control pipe (what the JVM's death does), for tests of the script's own rule. */
    void closeControl() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // it is gone already
        }
    }

    /** Its process (for tests). */
    Process process() {
        return process;
    }
}
