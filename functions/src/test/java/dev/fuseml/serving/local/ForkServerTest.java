package dev.fuseml.serving.local;

import dev.fuseml.process.Sandbox;
import dev.fuseml.serving.Batch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The fork server with a real Python (the machine's, with numpy) and the real worker script, alone and in the
 * bubblewrap sandbox (its own PID namespace: forks happen inside it, and workers connect back over loopback). The
 * model is a pickled object whose predict is {@code numpy.ravel}: it needs numpy and nothing else.
 */
class ForkServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static Path python;

    @TempDir
    Path dir;

    @BeforeAll
    static void realInterpreter() throws Exception {
        // the real interpreter behind a launcher script (pyenv's shim), so the processes below are Python itself
        Process p = new ProcessBuilder(dev.fuseml.process.LoggedProcessTest.python3().toString(), "-c",
                "import sys, numpy; print(sys.executable)").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assumeThat(p.waitFor()).as("python3 with numpy: " + out).isZero();
        python = Path.of(out);
    }

    private Sandbox sandbox(String kind) {
        if (kind.equals("none")) {
            return Sandbox.none("switched off for this test");
        }
        Sandbox sandbox = Sandbox.detect(true, List.of());
        assumeThat(sandbox.isolates()).as("bubblewrap: " + sandbox.status()).isTrue();
        return sandbox;
    }

    private ForkServer start(String kind) throws Exception {
        Path script = dir.resolve("fuseml_worker.py");
        try (InputStream in = ForkServer.class.getResourceAsStream("/serving/fuseml_worker.py")) {
            Files.copy(in, script);
        }
        Path model = dir.resolve("models/model.pkl");
        Files.createDirectories(model.getParent());
        Process pickle = new ProcessBuilder(python.toString(), "-c", "import pickle, types, numpy, sys; "
                + "open(sys.argv[1], 'wb').write(pickle.dumps(types.SimpleNamespace(predict=numpy.ravel)))",
                model.toString()).redirectErrorStream(true).start();
        assertThat(pickle.waitFor()).as(new String(pickle.getInputStream().readAllBytes())).isZero();
        return ForkServer.start(python, script, dir.resolve("workers.log"), TIMEOUT, sandbox(kind),
                new Sandbox.Mounts(Files.createDirectories(dir.resolve("home")), List.of(),
                        List.of(script, model.getParent())));
    }

    private List<Object> predict(PythonWorker worker, int... values) throws Exception {
        List<List<Object>> rows = new java.util.ArrayList<>();
        for (int v : values) {
            rows.add(List.of(v));
        }
        return worker.predict(new Batch(null, rows));
    }

    @ParameterizedTest(name = "sandbox: {0}")
    @ValueSource(strings = {"none", "bubblewrap"})
    void forkedWorkersLoadTheirModelAndPredictEachOnItsOwnConnection(String kind) throws Exception {
        try (ForkServer server = start(kind)) {
            PythonWorker a = server.fork(TIMEOUT);
            PythonWorker b = server.fork(TIMEOUT);
            a.load(dir.resolve("models/model.pkl"), "pickle", TIMEOUT);
            b.load(dir.resolve("models/model.pkl"), "pickle", TIMEOUT);
            assertThat(predict(a, 1, 2, 3)).containsExactly(1L, 2L, 3L);
            assertThat(predict(b, 7)).containsExactly(7L);
            assertThat(server.children()).isEqualTo(2);
            a.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> server.children() == 1);
            assertThat(a.alive()).isFalse();
            assertThat(predict(b, 8)).containsExactly(8L);
            b.close();
        }
    }

    @ParameterizedTest(name = "sandbox: {0}")
    @ValueSource(strings = {"none", "bubblewrap"})
    void aWorkerKilledWhileIdleIsSeenEndedAndTheNextForkServes(String kind) throws Exception {
        try (ForkServer server = start(kind)) {
            PythonWorker worker = server.fork(TIMEOUT);
            List<ProcessHandle> pythons = server.handle().descendants()
                    .filter(h -> h.info().command().orElse("").startsWith(python.getParent().toString())).toList();
            // the parent, then its forked child (under bubblewrap, inside its namespace's init)
            ProcessHandle child = pythons.get(pythons.size() - 1);
            child.destroyForcibly();
            await().atMost(Duration.ofSeconds(10)).until(() -> !worker.alive());
            assertThatThrownBy(() -> predict(worker, 1)).isInstanceOf(dev.fuseml.serving.WorkerStoppedException.class);
            PythonWorker next = server.fork(TIMEOUT);
            next.load(dir.resolve("models/model.pkl"), "pickle", TIMEOUT);
            assertThat(predict(next, 5)).containsExactly(5L);
            next.close();
        }
    }

    @ParameterizedTest(name = "sandbox: {0}")
    @ValueSource(strings = {"none", "bubblewrap"})
    void aClosedServerForksNoMoreButItsWorkersServeUntilTheyEndAndThenItExits(String kind) throws Exception {
        ForkServer server = start(kind);
        PythonWorker worker = server.fork(TIMEOUT);
        worker.load(dir.resolve("models/model.pkl"), "pickle", TIMEOUT);
        server.close();
        assertThatThrownBy(() -> server.fork(TIMEOUT)).isInstanceOf(IOException.class).hasMessageContaining("ended");
        assertThat(predict(worker, 4)).containsExactly(4L);
        assertThat(server.handle().isAlive()).isTrue();
        worker.close();
        await().atMost(Duration.ofSeconds(15)).until(() -> !server.handle().isAlive());
    }

    @ParameterizedTest(name = "sandbox: {0}")
    @ValueSource(strings = {"none"})
    void aStrangerOnTheLoopbackPortIsNotTakenForAWorker(String kind) throws Exception {
        try (ForkServer server = start(kind);
                java.net.Socket stranger = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(),
                        server.port())) {
            // it is queued before the forked child and claims to be it with a wrong token
            stranger.getOutputStream().write("0123456789abcdef\n{\"ready\": true}\n".getBytes(
                    StandardCharsets.UTF_8));
            PythonWorker worker = server.fork(TIMEOUT);
            worker.load(dir.resolve("models/model.pkl"), "pickle", TIMEOUT);
            assertThat(predict(worker, 9)).containsExactly(9L);
            stranger.setSoTimeout(10_000);
            assertThat(stranger.getInputStream().read()).as("closed by the server").isEqualTo(-1);
            worker.close();
        }
    }

    @ParameterizedTest(name = "sandbox: {0}")
    @ValueSource(strings = {"none"})
    void anInterpreterWithoutTheLibrariesFailsToStartNamingTheLog(String kind) throws Exception {
        Path script = dir.resolve("fuseml_worker.py");
        Files.writeString(script, "import numpy_that_is_not_there\n");
        Path log = dir.resolve("workers.log");
        assertThatThrownBy(() -> ForkServer.start(python, script, log, TIMEOUT, sandbox(kind),
                new Sandbox.Mounts(Files.createDirectories(dir.resolve("home")), List.of(), List.of(script))))
                .isInstanceOf(IOException.class).hasMessageContaining("did not start").hasMessageContaining(
                        log.toString());
        assertThat(Files.readString(log)).contains("ModuleNotFoundError");
    }
}
