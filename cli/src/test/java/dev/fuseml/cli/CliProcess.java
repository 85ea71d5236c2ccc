package dev.fuseml.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the built {@code fuseml} jar as a separate process, as a user would, with its own config and data. */
final class CliProcess {
    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private final Path home;

    CliProcess(Path home) {
        this.home = home;
    }

    /** A CLI with a home of its own (under a new temporary directory) that has installed FuseML there. */
    static CliProcess installed(String prefix, java.util.Map<String, String> env) throws IOException,
            InterruptedException {
        CliProcess cli = new CliProcess(Files.createTempDirectory(prefix));
        Result install = cli.run(env, "install");
        if (install.exitCode() != 0) {
            throw new AssertionError("fuseml install failed: " + install.all());
        }
        return cli;
    }

    /** Uninstalls (stopping the orchestrator and deleting its data) and deletes the home directory. */
    void purge() throws IOException, InterruptedException {
        run("uninstall", "--purge");
        try (java.util.stream.Stream<Path> all = Files.walk(home)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    Path home() {
        return home;
    }

    Path config() {
        return home.resolve("config.yaml");
    }

    static Path jar() {
        return Path.of(System.getProperty("fuseml.cli.jar", "target/fuseml-cli.jar"));
    }

    static Path repo() {
        return Path.of(System.getProperty("fuseml.repo", "..")).toAbsolutePath().normalize();
    }

    /** The last {@code lines} lines of the log of the orchestrator this CLI installed. */
    String orchestratorLogTail(int lines) throws IOException {
        Path log = home.resolve("data").resolve("fuseml").resolve("orchestrator.log");
        if (!Files.exists(log)) {
            return "(no log at " + log + ")";
        }
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    Result run(String... args) throws IOException, InterruptedException {
        return run(java.util.Map.of(), args);
    }

    /** Runs with {@code env} added to the environment (the orchestrator {@code install} starts inherits it). */
    Result run(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("java", "-jar", jar().toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        // HOME stays: pip reads its index settings from the user's config there.
        builder.environment().put("FUSEML_CONFIG", config().toString());
        builder.environment().put("XDG_DATA_HOME", home.resolve("data").toString());
        // each test's orchestrator would train its own AOT cache and write it at uninstall: AotStartIT tests that
        builder.environment().put("FUSEML_AOT_CACHE", "off");
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            // What CI shows of a hang is all there is to go on: the command's own output and the orchestrator's log.
            throw new AssertionError("fuseml " + String.join(" ", args) + " did not end in 10 minutes; it printed:\n"
                    + Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err, StandardCharsets.UTF_8)
                    + "\nthe orchestrator's log ends with:\n" + orchestratorLogTail(400));
        }
        Result result = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return result;
    }
}
