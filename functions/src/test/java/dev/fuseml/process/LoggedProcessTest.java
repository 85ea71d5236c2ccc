package dev.fuseml.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** User processes (training, pip) under their supervisor: they end with the JVM that started them. */
public class LoggedProcessTest {
    @TempDir
    Path dir;

    /** The machine's python3, as a path. */
    public static Path python3() {
        return Stream.of(System.getenv("PATH").split(":")).map(p -> Path.of(p, "python3"))
                .filter(Files::isExecutable).findFirst().orElseThrow();
    }

    /** The command under a supervisor (python3 may itself be a launcher script with processes of its own). */
    private static Optional<ProcessHandle> sleep(ProcessHandle supervisor) {
        return supervisor.descendants().filter(h -> h.info().command().orElse("").endsWith("/sleep")).findFirst();
    }

    @Test
    void aSupervisedCommandKeepsItsOutputAndExitCode() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        LoggedProcess.Result result = LoggedProcess.of("sh", "-c", "echo hello; echo oops >&2; exit 3")
                .diesWithThisProcess(python3().toString()).timeout(Duration.ofSeconds(30)).output(lines::add).run();
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(lines).contains("hello", "oops");
    }

    @Test
    void aSupervisedCommandDiesWhenThePipeFromItsStarterCloses() throws Exception {
        // What the kernel does to the pipe when the orchestrator is killed with -9, done by hand: the JVM under
        // test cannot be killed, so a process started here stands in for it.
        Process supervisor = new ProcessBuilder(python3().toString(), "-c", LoggedProcess.SUPERVISOR, "sleep", "300")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> sleep(supervisor.toHandle()).isPresent());
        ProcessHandle command = sleep(supervisor.toHandle()).orElseThrow();
        supervisor.getOutputStream().close();
        await().atMost(Duration.ofSeconds(20)).until(() -> !command.isAlive());
        await().atMost(Duration.ofSeconds(20)).until(() -> !supervisor.isAlive());
    }

    @Test
    void aRecordedAttemptIsStoppedWithItsChildren() throws Exception {
        Path pidFile = dir.resolve("train.pid");
        Thread attempt = new Thread(() -> {
            try {
                LoggedProcess.of("sleep", "300").diesWithThisProcess(python3().toString()).pidFile(pidFile)
                        .timeout(Duration.ofMinutes(5)).run();
            } catch (Exception ignored) {
                // stopped below
            }
        });
        attempt.setDaemon(true);
        attempt.start();
        // the pid file is created empty and then written (Files.writeString): a poll in between reads no number
        await().atMost(Duration.ofSeconds(20)).ignoreException(NumberFormatException.class)
                .until(() -> Files.isRegularFile(pidFile) && ProcessHandle.of(
                        Long.parseLong(Files.readString(pidFile).split(" ")[0])).map(h -> h.descendants().findAny()
                        .isPresent()).orElse(false));
        long pid = Long.parseLong(Files.readString(pidFile).split(" ")[0]);
        await().atMost(Duration.ofSeconds(20)).until(() -> sleep(ProcessHandle.of(pid).orElseThrow()).isPresent());
        Optional<ProcessHandle> sleep = sleep(ProcessHandle.of(pid).orElseThrow());
        assertThat(LoggedProcess.stopRecorded(pidFile)).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> sleep.map(h -> !h.isAlive()).orElse(true));
        assertThat(pidFile).doesNotExist();
    }
}
