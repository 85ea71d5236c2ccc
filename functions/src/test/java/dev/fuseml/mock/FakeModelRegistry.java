package dev.fuseml.mock;

import dev.fuseml.registry.ModelRegistry;
import dev.fuseml.registry.ModelVersion;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A registry in memory, idempotent per run as the control plane's is. */
public class FakeModelRegistry implements ModelRegistry {
    public final List<ModelVersion> versions = new ArrayList<>();

    @Override
    public synchronized ModelVersion register(String org, String app, Registration r) {
        for (ModelVersion v : versions) {
            if (v.run().equals(r.run())) {
                return v;
            }
        }
        ModelVersion v = new ModelVersion(org, app, versions.size() + 1, r.run(), r.repository(), r.commit(),
                r.params(), r.metrics(), r.environment(), List.of("sklearn"), r.modelUri(), Instant.now(), null,
                List.of());
        versions.add(v);
        return v;
    }

    @Override
    public synchronized Optional<ModelVersion> get(String org, String app, int version) {
        return versions.stream().filter(v -> v.version() == version).findFirst();
    }
}
