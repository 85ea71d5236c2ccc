package dev.fuseml.claim;

import dev.fuseml.FusemlConfig;
import dev.fuseml.run.Run;
import dev.fuseml.run.RunProjection;
import dev.fuseml.run.RunStore;
import dev.fuseml.state.JsonFiles;
import dev.fuseml.step.Claims;
import dev.fuseml.step.RunRef;
import dev.fuseml.workspace.Workspaces;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The (run, step) guard, kept by the control plane for every step process: one JSON file per claim
 * ({@code claims/RUN/STEP.json}), plus an index of running claims in memory for the {@link LeaseReaper}. Owners
 * renew their lease while they work; a claim whose lease ran out may be taken by anyone.
 */
@ApplicationScoped
@Typed(ClaimStore.class) // steps get the Claims the platform wires (over HTTP, also in one process)
public class ClaimStore implements Claims {
    private static final Pattern STEP = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private final Path dir;
    private final Duration lease;
    private final RunStore runs;
    private final RunProjection projection;
    private final Clock clock;
    private final Map<String, Claim> running = new ConcurrentHashMap<>();
    /** Ended claims whose result the run projection has not shown yet: a reply or an emit may have been lost. */
    private final Map<String, Claim> unconfirmed = new ConcurrentHashMap<>();

    @jakarta.inject.Inject
    public ClaimStore(FusemlConfig config, RunStore runs, RunProjection projection) {
        this(config.dataDir().resolve("claims"), config.lease(), runs, projection, Clock.systemUTC());
    }

    ClaimStore(Path dir, Duration lease, RunStore runs, RunProjection projection, Clock clock) {
        this.dir = dir;
        this.lease = lease;
        this.runs = runs;
        this.projection = projection;
        this.clock = clock;
        load();
    }

    public static String requireStep(String step) {
        if (step == null || !STEP.matcher(step).matches()) {
            throw new IllegalArgumentException("invalid step name '" + step + "': lower-case letters, digits, '-'");
        }
        return step;
    }

    @Override
    public synchronized Decision claim(RunRef ref, String step, String owner, StoredEvent input) {
        requireStep(step);
        Instant now = clock.instant();
        Claim current = get(ref.run(), step).orElse(null);
        if (current != null && Claim.SUCCEEDED.equals(current.status())) {
            return new Done(current.output());
        }
        Optional<Run> run = runs.get(ref.run());
        if (!projection.ownRun(ref) || (current != null && !(current.org().equals(ref.org())
                && current.app().equals(ref.app())))) {
            return new RunEnded(); // an event that names another app's run id is never worked on
        }
        if ((current != null && Claim.FAILED.equals(current.status())) || run.map(Run::finished).orElse(false)) {
            return new RunEnded();
        }
        if (current != null && current.leaseLive(now) && !current.owner().equals(owner)) {
            return new HeldElsewhere(current.owner());
        }
        int attempt = current == null ? 1 : current.attempt() + 1;
        Claim claim = new Claim(ref.run(), step, ref.org(), ref.app(), owner, Claim.RUNNING, attempt, now,
                now.plus(lease), null, input, null, null);
        save(claim);
        projection.stepStarted(ref, step, now);
        return new Start(current != null, attempt);
    }

    @Override
    public synchronized boolean renew(RunRef ref, String step, String owner) {
        Claim current = get(ref.run(), requireStep(step)).orElse(null);
        if (current == null || !current.running() || !current.owner().equals(owner)) {
            return false;
        }
        save(current.renewed(clock.instant().plus(lease)));
        return true;
    }

    @Override
    public synchronized boolean complete(RunRef ref, String step, String owner, boolean succeeded, StoredEvent output) {
        Claim current = get(ref.run(), requireStep(step)).orElse(null);
        if (current == null || !current.running() || !current.owner().equals(owner)) {
            return false;
        }
        Claim completed = current.completed(succeeded, output, clock.instant());
        save(completed);
        unconfirmed.put(key(ref.run(), step), completed);
        return true;
    }

    /**
     * Ended claims whose result has not reached the run a lease after the step ended (nor a lease after it was
     * last sent again): the reply that carried it found no broker waiting, or the step could not emit it. The
     * projection shows a step as running until the step's result event arrives.
     */
    public synchronized List<Claim> unannounced() {
        Instant now = clock.instant();
        List<Claim> out = new ArrayList<>();
        for (Claim c : List.copyOf(unconfirmed.values())) {
            boolean announced = runs.get(c.run()).map(r -> r.finished() || r.step(c.step())
                    .map(s -> !s.running()).orElse(false)).orElse(true);
            if (announced) {
                unconfirmed.remove(key(c.run(), c.step()));
            } else if (c.ended() != null && c.ended().plus(lease).isBefore(now) && c.output() != null && c.output().type() != null
                    && (c.reemitted() == null || c.reemitted().plus(lease).isBefore(now))) {
                out.add(c);
            }
        }
        return out;
    }

    /** Running claims whose owner stopped renewing, and whose input was not emitted again within a lease. */
    public synchronized List<Claim> abandoned() {
        Instant now = clock.instant();
        List<Claim> out = new ArrayList<>();
        for (Claim c : running.values()) {
            if (!c.leaseLive(now) && (c.reemitted() == null || c.reemitted().plus(lease).isBefore(now))) {
                out.add(c);
            }
        }
        return out;
    }

    /** The claims being worked on now (a copy). */
    public synchronized List<Claim> running() {
        return List.copyOf(running.values());
    }

    /** Notes that the claim's input (running) or its result (ended) went through the broker again. */
    public synchronized void reemitted(Claim claim) {
        get(claim.run(), claim.step()).filter(c -> c.status().equals(claim.status())).ifPresent(c -> {
            Claim noted = c.reemittedAt(clock.instant());
            save(noted);
            if (!noted.running()) {
                unconfirmed.computeIfPresent(key(c.run(), c.step()), (k, v) -> noted);
            }
        });
    }

    /** Stops watching a claim whose run has ended. */
    public synchronized void drop(Claim claim) {
        running.remove(key(claim.run(), claim.step()));
    }

    /**
     * The leases of {@code owner} end now: after a crash of the embedded default, the steps its process was
     * running are done again at once rather than when their leases would have run out.
     */
    public synchronized int expireOwner(String owner) {
        int n = 0;
        for (Claim c : List.copyOf(running.values())) {
            if (c.owner().equals(owner)) {
                save(c.expired());
                n++;
            }
        }
        return n;
    }

    public synchronized List<Claim> list(String run) {
        Path runDir = dir.resolve(run);
        if (!RunRef.validId(run) || !Files.isDirectory(runDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(runDir)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted()
                    .map(f -> JsonFiles.read(f, Claim.class)).flatMap(Optional::stream).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized void deleteRun(String run) {
        if (RunRef.validId(run)) {
            running.keySet().removeIf(k -> k.startsWith(run + "/"));
            unconfirmed.keySet().removeIf(k -> k.startsWith(run + "/"));
            Workspaces.delete(dir.resolve(run));
        }
    }

    public synchronized Optional<Claim> get(String run, String step) {
        return JsonFiles.read(file(run, step), Claim.class);
    }

    private void save(Claim claim) {
        JsonFiles.write(file(claim.run(), claim.step()), claim);
        if (claim.running()) {
            running.put(key(claim.run(), claim.step()), claim);
        } else {
            running.remove(key(claim.run(), claim.step()));
        }
    }

    private void load() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir, 2)) {
            all.filter(f -> f.toString().endsWith(".json")).map(f -> JsonFiles.read(f, Claim.class))
                    .flatMap(Optional::stream).forEach(c -> {
                        if (c.running()) {
                            running.put(key(c.run(), c.step()), c);
                        } else if (!runs.get(c.run()).map(Run::finished).orElse(true)) {
                            unconfirmed.put(key(c.run(), c.step()), c); // ended just before a crash, perhaps
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String run, String step) {
        return dir.resolve(run).resolve(step + ".json");
    }

    private static String key(String run, String step) {
        return run + "/" + step;
    }
}
