package dev.fuseml.build.local;

import dev.fuseml.FusemlConfig;
import dev.fuseml.build.EnvironmentBuilder;
import dev.fuseml.process.LoggedProcess;
import dev.fuseml.project.DependencySpec;
import dev.fuseml.run.RunLog;
import dev.fuseml.run.StepFailure;
import dev.fuseml.workspace.Workspaces;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Python virtual environments made with the ordinary tools ({@code python -m venv}, then pip) under
 * {@code envs/HASH}, where HASH identifies the interpreter and the requirements. An environment counts as built
 * only once its marker file exists, so one interrupted half-way is built again.
 */
@ApplicationScoped
public class VenvBuilder implements EnvironmentBuilder {
    static final String READY = ".fuseml-ready";
    private final FusemlConfig config;
    private final RunLog log;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    public VenvBuilder(FusemlConfig config, RunLog log) {
        this.config = config;
        this.log = log;
    }

    /** The interpreter of an environment this builder made. */
    public static Path python(String environment) {
        return Path.of(environment).resolve("bin").resolve("python");
    }

    @Override
    public String build(String runId, DependencySpec spec) throws Exception {
        String hash = spec.hash(config.python());
        Path env = config.dataDir().resolve("envs").resolve(hash).toAbsolutePath();
        spec.notes().forEach(note -> log.note(runId, "build", note));
        synchronized (locks.computeIfAbsent(hash, h -> new Object())) {
            if (Files.exists(env.resolve(READY))) {
                log.note(runId, "build", "reusing environment " + hash + " (same requirements as an earlier push)");
                return env.toString();
            }
            Workspaces.delete(env);
            log.note(runId, "build", "creating environment " + hash + " with " + config.python() + " -m venv");
            run(runId, List.of(config.python(), "-m", "venv", env.toString()), env.getParent(),
                    "could not create a virtual environment with '" + config.python() + " -m venv': check that "
                            + "fuseml.python names a Python 3 interpreter with the venv module");
            if (!spec.requirements().isEmpty()) {
                Path requirements = env.resolve("fuseml-requirements.txt");
                Files.write(requirements, spec.requirements(), StandardCharsets.UTF_8);
                log.note(runId, "build", "installing " + spec.requirements() + " from " + spec.source());
                run(runId, List.of(python(env.toString()).toString(), "-m", "pip", "install", "--no-input",
                        "--disable-pip-version-check", "--progress-bar", "off", "-r", requirements.toString()),
                        env, "pip could not install the requirements from " + spec.source()
                                + ": fix the names or versions there (the log shows pip's error)");
            }
            Files.writeString(env.resolve(READY), String.join("\n", spec.requirements()));
            return env.toString();
        }
    }

    private void run(String runId, List<String> command, Path dir, String cause) throws Exception {
        Files.createDirectories(dir);
        LoggedProcess.Result result = LoggedProcess.of(command).directory(dir).timeout(config.buildTimeout())
                .output(line -> log.append(runId, line)).run();
        if (result.timedOut()) {
            throw new StepFailure("the environment build took longer than " + config.buildTimeout()
                    + " (fuseml.build-timeout) and was stopped");
        }
        if (result.exitCode() != 0) {
            throw new StepFailure(cause + " (exit code " + result.exitCode() + ")");
        }
    }
}
