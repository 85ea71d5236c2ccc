package dev.fuseml.webhook;

import dev.fuseml.FusemlConfig;
import dev.fuseml.state.JsonFiles;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Webhooks of apps, one JSON file each under {@code webhooks/} (mode 0600: it holds the secret, which signature
 * checks need as it is), and the delivery ids and commits that started its runs, so that a replay starts nothing new.
 */
@ApplicationScoped
public class WebhookStore {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int REMEMBERED_DELIVERIES = 1000;

    /** A webhook: which app a host's pushes start, from which repository and branch. */
    public record Webhook(String id, String org, String app, String provider, String repository, String branch,
            String secret, Instant created) {
    }

    private final Path dir;
    private final Map<String, Deque<String>> deliveries = new ConcurrentHashMap<>();

    public WebhookStore(FusemlConfig config) {
        this.dir = config.dataDir().resolve("webhooks");
    }

    public synchronized Webhook create(String org, String app, Provider provider, String repository, String branch) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        String secret = HexFormat.of().formatHex(bytes);
        byte[] id = new byte[6];
        RANDOM.nextBytes(id);
        Webhook hook = new Webhook("wh-" + HexFormat.of().formatHex(id), org, app, provider.id(), repository, branch,
                secret, Instant.now());
        Path file = file(hook.id());
        JsonFiles.write(file, hook);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hook;
    }

    public Optional<Webhook> get(String id) {
        return id != null && id.matches("wh-[0-9a-f]{12}") ? JsonFiles.read(file(id), Webhook.class)
                : Optional.empty();
    }

    public synchronized List<Webhook> list(String org) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("wh-[0-9a-f]{12}\\.json")).sorted()
                    .map(f -> JsonFiles.read(f, Webhook.class)).flatMap(Optional::stream)
                    .filter(w -> w.org().equals(org)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized boolean delete(String org, String id) {
        Optional<Webhook> hook = get(id).filter(w -> w.org().equals(org));
        if (hook.isEmpty()) {
            return false;
        }
        try {
            Files.deleteIfExists(file(id));
            Files.deleteIfExists(dir.resolve(id + ".deliveries.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        deliveries.remove(id);
        return true;
    }

    /** Deliveries being processed now, per webhook: a second one with the same key waits for no one, it is refused. */
    private final Map<String, java.util.Set<String>> inFlight = new ConcurrentHashMap<>();

    /**
     * Takes a delivery for processing: false when one of its {@code keys} (its delivery id, the pushed commit) has
     * started a run of this webhook already, or is being processed now. A taken delivery must be {@link #finish}ed.
     */
    public boolean begin(String webhook, String... keys) {
        Deque<String> seen = deliveries.computeIfAbsent(webhook, this::loadDeliveries);
        synchronized (seen) {
            java.util.Set<String> now = inFlight.computeIfAbsent(webhook, w -> new java.util.HashSet<>());
            for (String key : keys) {
                if (seen.contains(key) || now.contains(key)) {
                    return false;
                }
            }
            now.addAll(List.of(keys));
            return true;
        }
    }

    /**
     * Ends the processing of a delivery {@link #begin} took: its keys are recorded when it {@code started} a run (a
     * replay of it is refused from now on, after a restart too), and let go otherwise, so that the host's
     * redelivery of a delivery that failed here is processed.
     */
    public void finish(String webhook, boolean started, String... keys) {
        Deque<String> seen = deliveries.computeIfAbsent(webhook, this::loadDeliveries);
        synchronized (seen) {
            inFlight.getOrDefault(webhook, java.util.Set.of()).removeAll(List.of(keys));
            if (!started) {
                return;
            }
            for (String key : keys) {
                seen.addLast(key);
            }
            while (seen.size() > REMEMBERED_DELIVERIES) {
                seen.removeFirst();
            }
            // kept on disk, so that a redelivery after a restart is still known
            JsonFiles.write(dir.resolve(webhook + ".deliveries.json"), List.copyOf(seen));
        }
    }

    private Deque<String> loadDeliveries(String webhook) {
        Deque<String> seen = new ArrayDeque<>();
        JsonFiles.read(dir.resolve(webhook + ".deliveries.json"), String[].class)
                .ifPresent(ids -> seen.addAll(List.of(ids)));
        return seen;
    }

    private Path file(String id) {
        return dir.resolve(id + ".json");
    }
}
