package dev.fuseml.mlflow;

import dev.fuseml.artifact.ArtifactUri;
import dev.fuseml.auth.Principal;
import dev.fuseml.eventing.Names;
import dev.fuseml.registry.ModelVersion;
import dev.fuseml.registry.local.DirectoryModelStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * FuseML's registry as MLflow's registry shows it (see {@link RegisteredModelsResource}): apps with versions are
 * registered models, named for the principal who asks.
 */
final class RegistryView {
    final DirectoryModelStore models;

    /** An app with at least one version: an MLflow registered model, created when its first version was. */
    record Registered(String org, String name, java.time.Instant created) {
    }

    RegistryView(DirectoryModelStore models) {
        this.models = models;
    }

    Map<String, Object> registered(Principal p, Registered app) {
        List<ModelVersion> versions = models.list(app.org(), app.name());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name(p, app));
        m.put("creation_timestamp", app.created().toEpochMilli());
        m.put("last_updated_timestamp", versions.isEmpty() ? app.created().toEpochMilli()
                : versions.get(versions.size() - 1).created().toEpochMilli());
        m.put("description", "FuseML app " + app.org() + "/" + app.name());
        if (!versions.isEmpty()) {
            m.put("latest_versions", List.of(version(p, versions.get(versions.size() - 1))));
        }
        List<Map<String, Object>> aliases = new ArrayList<>();
        models.aliases(app.org(), app.name()).forEach((alias, v) -> aliases.add(Map.of("alias", alias,
                "version", Integer.toString(v))));
        m.put("aliases", aliases);
        m.put("tags", List.of(Map.of("key", "fuseml.org", "value", app.org())));
        return m;
    }

    Map<String, Object> version(Principal p, ModelVersion v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name(p, v.org(), v.app()));
        m.put("version", Integer.toString(v.version()));
        m.put("creation_timestamp", v.created().toEpochMilli());
        m.put("last_updated_timestamp", v.created().toEpochMilli());
        m.put("current_stage", "None");
        m.put("description", "");
        m.put("source", source(v));
        m.put("run_id", v.run());
        m.put("status", "READY");
        m.put("storage_location", source(v));
        List<String> aliases = new ArrayList<>();
        models.aliases(v.org(), v.app()).forEach((alias, n) -> {
            if (n == v.version()) {
                aliases.add(alias);
            }
        });
        m.put("aliases", aliases);
        List<Map<String, String>> tags = new ArrayList<>();
        v.metrics().forEach((k, value) -> tags.add(Map.of("key", "fuseml.metric." + k, "value",
                Double.toString(value))));
        if (v.commit() != null) {
            tags.add(Map.of("key", "fuseml.commit", "value", v.commit()));
        }
        m.put("tags", tags);
        return m;
    }

    /** The version's model as the artifact proxy serves it. */
    static String source(ModelVersion v) {
        return "mlflow-artifacts:/" + ArtifactUri.parse(v.uri()).path();
    }

    // ---- lookups

    List<Registered> visibleApps(Principal p) {
        if (p.run() != null) {
            return List.of();
        }
        Map<String, Registered> found = new java.util.TreeMap<>();
        for (ModelVersion v : models.all()) {
            if (p.reaches(v.org())) {
                found.putIfAbsent(v.org() + "/" + v.app(), new Registered(v.org(), v.app(), v.created()));
            }
        }
        return List.copyOf(found.values());
    }

    static String name(Principal p, Registered app) {
        return name(p, app.org(), app.name());
    }

    static String name(Principal p, String org, String app) {
        return p.unrestricted() ? org + "." + app : app;
    }

    /** The app a registered model's name names for this principal: APP in its org, or ORG.APP. */
    Registered app(Principal p, String name) {
        MlflowJson.required("name", name);
        if (p.run() != null) {
            throw MlflowError.denied("a training's token reaches its own run only, not the registry");
        }
        String org = p.unrestricted() ? null : p.org();
        String app = name;
        int dot = name.indexOf('.');
        if (dot > 0) {
            org = name.substring(0, dot);
            app = name.substring(dot + 1);
        }
        String o = org;
        String a = app;
        return Optional.ofNullable(o).filter(p::reaches)
                .filter(x -> dev.fuseml.eventing.Names.valid(x) && dev.fuseml.eventing.Names.valid(a))
                .flatMap(x -> models.list(x, a).stream().findFirst())
                .map(first -> new Registered(first.org(), first.app(), first.created()))
                .orElseThrow(() -> MlflowError.missing("Registered Model with name=" + name + " not found"
                        + (p.unrestricted() && dot < 0 ? " (the admin names an app ORG.APP)" : "")));
    }

    ModelVersion find(Principal p, String name, String version) {
        Registered app = app(p, name);
        int n = versionNumber(MlflowJson.required("version", version));
        return models.get(app.org(), app.name(), n).orElseThrow(() -> MlflowError.missing("Model Version (name="
                + name + ", version=" + n + ") not found"));
    }

    static int versionNumber(String version) {
        try {
            int n = Integer.parseInt(version.strip());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw MlflowError.invalid("Model version must be a positive integer, not '" + version + "'");
        }
    }

    static List<String> strings(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(value));
    }
}
