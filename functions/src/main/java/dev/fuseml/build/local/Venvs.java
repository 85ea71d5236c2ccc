package dev.fuseml.build.local;

import dev.fuseml.eventing.Names;
import dev.fuseml.process.LoggedProcess;
import dev.fuseml.project.DependencySpec;
import dev.fuseml.step.StepFailure;
import dev.fuseml.step.StepLog;
import dev.fuseml.workspace.Workspaces;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Python virtual environments of this process's data directory, made with the ordinary tools
 * ({@code python -m venv}, then pip) under {@code envs/HASH}, where HASH identifies the interpreter and the
 * requirements, one set per org ({@code envs/ORG/HASH}): code of one org never runs in, nor writes into, an
 * environment another org's code runs in (a {@code .pth} file in site-packages runs in every process of it). The
 * reference other steps see is {@code venv:ORG/HASH}: a step in another process that gets one it does not have builds
 * it from the same requirements, as a node pulls an image it has not got. An environment counts as
 * built only once its marker file exists, so one interrupted half-way is built again from nothing.
 */
public class Venvs {
    public static final String SCHEME = "venv:";
    static final String READY = ".fuseml-ready";
    private final Path root;
    private final String python;
    private final Duration timeout;
    private final StepLog log;
    private final dev.fuseml.process.Sandbox sandbox;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    /**
     * Environments whose seal this process has checked (or written) while users' code is sandboxed: there, every
     * user process gets its environment read-only, so nothing that runs can change it afterwards, and walking its
     * ten thousand files again at every step of every push (a few hundred milliseconds each) proves nothing new.
     */
    private final java.util.Set<Path> checked = ConcurrentHashMap.newKeySet();

    public Venvs(Path root, String python, Duration timeout, StepLog log) {
        this(root, python, timeout, log, dev.fuseml.process.Sandbox.none("not asked for"));
    }

    /** @param sandbox where users' code runs in these environments: pip here, training and serving elsewhere */
    public Venvs(Path root, String python, Duration timeout, StepLog log, dev.fuseml.process.Sandbox sandbox) {
        this.sandbox = sandbox;
        this.root = root;
        this.python = python;
        this.timeout = timeout;
        this.log = log;
    }

    public dev.fuseml.process.Sandbox sandbox() {
        return sandbox;
    }

    /**
     * Set for user processes: Python writes no bytecode into the environment (pip compiled it at the build), so
     * that an environment in use stays exactly as sealed.
     */
    public static final String NO_BYTECODE_ENV = "PYTHONDONTWRITEBYTECODE";
    private static final String SEAL = ".fuseml-seal";

    /** The reference of the environment {@code spec} needs in {@code org}. */
    public String reference(String org, DependencySpec spec) {
        return SCHEME + org + "/" + spec.hash(python);
    }

    /** The interpreter of a built environment. */
    public Path python(String reference) {
        return dir(reference).resolve("bin").resolve("python");
    }

    /**
     * What tells this build of the environment from a later one (its ready mark's inode and change time, which no
     * process can set back): a process started in it before a rebuild is not one of the rebuilt environment's.
     */
    public String buildMark(String reference) {
        try {
            Map<String, Object> ready = Files.readAttributes(dir(reference).resolve(READY), "unix:ino,ctime",
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return ready.get("ino") + "@" + ready.get("ctime");
        } catch (IOException e) {
            return "";
        }
    }

    public Path dir(String reference) {
        String[] parts = reference == null || !reference.startsWith(SCHEME) ? new String[0]
                : reference.substring(SCHEME.length()).split("/", -1);
        if (parts.length != 2 || !Names.valid(parts[0]) || !parts[1].matches("[0-9a-f]{8,64}")) {
            throw new StepFailure("'" + reference + "' is not an environment of the local platform (venv:ORG/HASH)");
        }
        return root.resolve(parts[0]).resolve(parts[1]).toAbsolutePath();
    }

    /** The org an environment belongs to. */
    static String org(String reference) {
        return reference.substring(SCHEME.length(), reference.indexOf('/'));
    }

    /**
     * The environment {@code reference}, built here from {@code spec} when this machine does not have it yet;
     * returns the reference of the environment to use.
     */
    public String resolve(String run, String step, String org, String reference, DependencySpec spec)
            throws Exception {
        dir(reference);
        if (!org(reference).equals(org)) {
            throw new StepFailure("environment " + reference + " belongs to another org than " + org + ": environments "
                    + "are never shared across orgs; push the code again");
        }
        if (Files.exists(dir(reference).resolve(READY)) && intact(run, step, dir(reference))) {
            return reference;
        }
        log.note(run, step, "environment " + reference + " is not on this machine yet: building it");
        String built = ensure(run, step, org, spec);
        if (!built.equals(reference)) {
            log.note(run, step, "the requirements give " + built + ", not " + reference + "; using " + built);
        }
        return built;
    }

    /** Builds the environment {@code spec} needs unless it exists; returns its reference. */
    public String ensure(String run, String step, String org, DependencySpec spec) throws Exception {
        String reference = reference(org, spec);
        Path env = dir(reference);
        String hash = env.getFileName().toString();
        synchronized (locks.computeIfAbsent(reference, h -> new Object())) {
            if (Files.exists(env.resolve(READY)) && intact(run, step, env)) {
                log.note(run, step, "reusing environment " + hash + " (same requirements as an earlier push)");
                return reference;
            }
            Path builder = env.resolveSibling(hash + ".pid");
            if (LoggedProcess.stopRecorded(builder)) {
                log.note(run, step, "stopped an earlier build of environment " + hash + " that was left running");
            }
            checked.remove(env);
            Workspaces.delete(env);
            try {
                build(run, step, spec, env, builder);
            } catch (Exception | Error e) {
                // a half-built environment is of no use, and its requirements file may hold an index's password
                Workspaces.delete(env);
                throw e;
            }
            return reference;
        }
    }

    private void build(String run, String step, DependencySpec spec, Path env, Path builder) throws Exception {
        String hash = env.getFileName().toString();
        spec.notes().forEach(note -> log.note(run, step, note));
        log.note(run, step, "creating environment " + hash + " with " + python + " -m venv");
        exec(run, builder, List.of(python, "-m", "venv", env.toString()), env.getParent(),
                "could not create a virtual environment with '" + python + " -m venv': check that "
                        + "fuseml.python names a Python 3 interpreter with the venv module", null);
        if (!spec.requirements().isEmpty()) {
            Path requirements = env.resolve("fuseml-requirements.txt");
            Files.write(requirements, spec.requirements(), StandardCharsets.UTF_8);
            log.note(run, step, "installing " + spec.requirements() + " from " + spec.source());
            // pip runs the packages' build code: confined to the environment it builds, with a HOME of its own
            Path home = env.resolveSibling(hash + ".home");
            try {
                exec(run, builder, List.of(env.resolve("bin/python").toString(), "-m", "pip", "install",
                        "--no-input", "--disable-pip-version-check", "--progress-bar", "off", "-r",
                        requirements.toString()), env, "pip could not install the requirements from "
                                + spec.source() + ": fix the names or versions there (the log shows pip's error)",
                        new dev.fuseml.process.Sandbox.Mounts(home, List.of(env), List.of()));
            } finally {
                Workspaces.delete(home);
            }
        }
        Files.writeString(env.resolve(SEAL), seal(env));
        Files.writeString(env.resolve(READY), String.join("\n", spec.requirements()));
    }

    /**
     * Whether the environment is as it was built. The user processes that run in it (training, prediction workers)
     * could write into it, and another app's code would then run what they wrote (a {@code .pth} file runs in
     * every Python process); a changed environment is removed here, and built again from its requirements.
     * User processes run with {@link #NO_BYTECODE_ENV}, so using an environment does not change it.
     */
    private synchronized boolean intact(String run, String step, Path env) throws IOException {
        Path sealFile = env.resolve(SEAL);
        if (sandbox.isolates() && checked.contains(env) && Files.isRegularFile(sealFile)) {
            return true;
        }
        if (Files.isRegularFile(sealFile) && Files.readString(sealFile).equals(seal(env))) {
            if (sandbox.isolates()) {
                checked.add(env);
            }
            return true;
        }
        checked.remove(env);
        log.note(run, step, "environment " + env.getFileName() + " was changed after it was built (a process that "
                + "ran in it wrote there): building it again from its requirements");
        Files.deleteIfExists(env.resolve(READY));
        return false;
    }

    /**
     * A digest of every file of the environment: path, size, inode change time (which, unlike the modification
     * time, no process can set back), whether it is a link.
     */
    static String seal(Path env) throws IOException {
        java.security.MessageDigest digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (java.util.stream.Stream<Path> files = Files.walk(env)) {
            // files and links only: a directory's times change when the seal and the ready mark are written into it
            for (Path f : files.filter(f -> !Files.isDirectory(f, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .filter(f -> !f.getFileName().toString().equals(SEAL) && !f.getFileName().toString()
                            .equals(READY)).sorted().toList()) {
                Map<String, Object> a = Files.readAttributes(f, "unix:size,ctime,mode,isSymbolicLink",
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                digest.update((env.relativize(f) + " " + a.get("size") + " " + a.get("ctime") + " " + a.get("mode")
                        + " " + a.get("isSymbolicLink") + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    private void exec(String run, Path pidFile, List<String> command, Path dir, String cause,
            dev.fuseml.process.Sandbox.Mounts confined) throws Exception {
        Files.createDirectories(dir);
        LoggedProcess process = LoggedProcess.of(command).directory(dir).timeout(timeout).pidFile(pidFile)
                .minimalEnvironment().diesWithThisProcess(python)
                .output(line -> log.append(run, line));
        if (confined != null) {
            process.confined(sandbox, confined);
        }
        LoggedProcess.Result result = process.run();
        if (result.timedOut()) {
            throw new StepFailure("the environment build took longer than " + timeout
                    + " (fuseml.build-timeout) and was stopped");
        }
        if (result.exitCode() != 0) {
            throw new StepFailure(cause + " (exit code " + result.exitCode() + ")");
        }
    }
}
