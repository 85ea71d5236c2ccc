package dev.fuseml.retention;

import dev.fuseml.FusemlConfig;
import dev.fuseml.app.App;
import dev.fuseml.app.AppStore;
import dev.fuseml.artifact.ArtifactUri;
import dev.fuseml.artifact.ArtifactStorage;
import dev.fuseml.claim.ClaimStore;
import dev.fuseml.registry.ModelVersion;
import dev.fuseml.registry.local.DirectoryModelStore;
import dev.fuseml.run.Run;
import dev.fuseml.run.RunStore;
import dev.fuseml.workspace.Workspaces;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Keeps disk use bounded: each app keeps its last {@code fuseml.retention-runs} ended runs and its last
 * {@code fuseml.retention-versions} model versions (never the one it serves), pruned as runs end; {@code fuseml gc}
 * removes environments no kept version was trained in.
 */
@ApplicationScoped
public class Retention {
    /** What a collection removed. */
    public record Collected(List<String> environments, long bytes) {
    }

    /** An environment younger than this may belong to a run under way: gc leaves it. */
    static final Duration IN_USE = Duration.ofHours(1);

    private final RunStore runs;
    private final ClaimStore claims;
    private final AppStore apps;
    private final DirectoryModelStore models;
    private final ArtifactStorage artifacts;
    private final Path envs;
    private final int keepRuns;
    private final int keepVersions;

    public Retention(FusemlConfig config, RunStore runs, ClaimStore claims, AppStore apps, DirectoryModelStore models,
            ArtifactStorage artifacts) {
        this.runs = runs;
        this.claims = claims;
        this.apps = apps;
        this.models = models;
        this.artifacts = artifacts;
        this.envs = config.dataDir().resolve("envs");
        this.keepRuns = Math.max(1, config.retentionRuns());
        this.keepVersions = Math.max(1, config.retentionVersions());
    }

    /** Prunes the app's ended runs and unserved versions beyond what it keeps. */
    public synchronized void prune(String org, String app) {
        List<Run> ended = runs.list(org, app).stream().filter(Run::finished).toList(); // newest first
        for (Run old : ended.subList(Math.min(keepRuns, ended.size()), ended.size())) {
            runs.delete(old.id());
            claims.deleteRun(old.id());
        }
        Integer served = apps.get(org, app).map(App::version).orElse(null);
        List<ModelVersion> versions = new ArrayList<>(models.list(org, app)); // oldest first
        int excess = versions.size() - keepVersions;
        for (ModelVersion v : versions) {
            if (excess <= 0) {
                break;
            }
            if ((served != null && served == v.version())
                    || runs.get(v.run()).map(r -> !r.finished()).orElse(false)) {
                continue; // served, or its run is still going (serve may not have fetched it yet)
            }
            models.deleteVersion(org, app, v.version());
            try {
                artifacts.delete(ArtifactUri.parse(v.uri()));
            } catch (IllegalArgumentException notOurs) {
                // an artifact elsewhere (a URL): not this store's to remove
            }
            excess--;
        }
    }

    /** Removes the environments that no kept model version was trained in and that no run is building now. */
    public synchronized Collected collect() {
        Set<String> kept = new HashSet<>();
        models.all().forEach(v -> kept.add(v.environment()));
        for (dev.fuseml.claim.Claim working : claims.running()) { // a step at work may use an older one
            if (working.input() != null && working.input().data() != null) {
                kept.add(working.input().data().path("environment").asText(""));
            }
        }
        List<String> removed = new ArrayList<>();
        long bytes = 0;
        Instant cutoff = Instant.now().minus(IN_USE);
        for (Path env : environments()) {
            String reference = "venv:" + env.getParent().getFileName() + "/" + env.getFileName();
            if (kept.contains(reference) || modified(env).isAfter(cutoff)) {
                continue;
            }
            bytes += size(env);
            Workspaces.delete(env);
            removed.add(reference);
        }
        return new Collected(removed, bytes);
    }

    private List<Path> environments() {
        if (!Files.isDirectory(envs)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(envs, 2)) {
            return all.filter(p -> p.getNameCount() == envs.getNameCount() + 2 && Files.isDirectory(p)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Instant modified(Path dir) {
        try {
            return Files.getLastModifiedTime(dir).toInstant();
        } catch (IOException e) {
            return Instant.now();
        }
    }

    private static long size(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }
}
