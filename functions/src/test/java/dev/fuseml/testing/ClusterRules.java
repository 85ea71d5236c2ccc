package dev.fuseml.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The rules every Kubernetes object of FuseML meets, whether config/ declares it or a step makes it on a cluster:
 * Kubernetes' four recommended labels; every pod at the "restricted" Pod Security Standard (the image build Job,
 * labelled component image-build, at "baseline": Kaniko runs as root); every container with CPU and memory requested
 * and memory limited; serving containers with probes; Knative Services and InferenceServices with autoscaling bounds.
 * {@link #problems} names each rule an object breaks, so a failure says what to fix.
 */
public final class ClusterRules {
    static final List<String> LABELS = List.of("app.kubernetes.io/name", "app.kubernetes.io/part-of",
            "app.kubernetes.io/component", "app.kubernetes.io/managed-by");
    /** The volume types the restricted standard allows. */
    private static final Set<String> VOLUMES = Set.of("name", "configMap", "csi", "downwardAPI", "emptyDir",
            "ephemeral", "persistentVolumeClaim", "projected", "secret");
    /** The capabilities the baseline standard lets a container add. */
    private static final Set<String> BASELINE_CAPABILITIES = Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER",
            "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");

    private ClusterRules() {
    }

    public static List<String> problems(JsonNode object) {
        List<String> problems = new ArrayList<>();
        String kind = object.path("kind").asText();
        String what = kind + " " + object.at("/metadata/name").asText();
        JsonNode labels = object.at("/metadata/labels");
        for (String label : LABELS) {
            if (labels.path(label).asText().isEmpty()) {
                problems.add(what + " has no label " + label);
            }
        }
        boolean baseline = "image-build".equals(labels.path("app.kubernetes.io/component").asText())
                && "Job".equals(kind);
        String api = object.path("apiVersion").asText();
        switch (kind) {
            case "Deployment", "StatefulSet", "DaemonSet" -> {
                pod(what, object.at("/spec/template/spec"), baseline, problems);
                probes(what, object.at("/spec/template/spec"), true, problems);
            }
            case "Job" -> pod(what, object.at("/spec/template/spec"), baseline, problems);
            case "Pod" -> pod(what, object.path("spec"), baseline, problems);
            case "Service" -> {
                if (api.startsWith("serving.knative.dev/")) {
                    pod(what, object.at("/spec/template/spec"), false, problems);
                    probes(what, object.at("/spec/template/spec"), false, problems);
                    JsonNode annotations = object.at("/spec/template/metadata/annotations");
                    for (String bound : List.of("autoscaling.knative.dev/max-scale", "autoscaling.knative.dev/target")) {
                        if (annotations.path(bound).asText().isEmpty()) {
                            problems.add(what + " sets no " + bound + " on its template");
                        }
                    }
                }
            }
            case "InferenceService" -> {
                JsonNode predictor = object.at("/spec/predictor");
                restrictedPod(what, predictor.path("securityContext"), problems);
                container(what, predictor.path("model"), predictor.path("securityContext"), false, problems);
                for (String bound : List.of("maxReplicas", "scaleTarget")) {
                    if (predictor.path(bound).isMissingNode()) {
                        problems.add(what + " sets no predictor." + bound);
                    }
                }
            }
            default -> {
            }
        }
        return problems;
    }

    private static void pod(String what, JsonNode spec, boolean baseline, List<String> problems) {
        for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
            if (spec.path(host).asBoolean(false)) {
                problems.add(what + " uses " + host);
            }
        }
        for (JsonNode volume : spec.path("volumes")) {
            volume.fieldNames().forEachRemaining(type -> {
                if (!VOLUMES.contains(type)) {
                    problems.add(what + " mounts a " + type + " volume");
                }
            });
        }
        if (!baseline) {
            restrictedPod(what, spec.path("securityContext"), problems);
        }
        List<JsonNode> containers = new ArrayList<>();
        spec.path("initContainers").forEach(containers::add);
        spec.path("containers").forEach(containers::add);
        if (containers.isEmpty()) {
            problems.add(what + " has no containers");
        }
        for (JsonNode c : containers) {
            container(what, c, spec.path("securityContext"), baseline, problems);
        }
    }

    private static void restrictedPod(String what, JsonNode pod, List<String> problems) {
        if (pod.path("runAsUser").asLong(-1) == 0) {
            problems.add(what + " runs its pod as root (runAsUser 0)");
        }
    }

    private static void container(String what, JsonNode c, JsonNode pod, boolean baseline, List<String> problems) {
        String name = what + " container " + c.path("name").asText("(unnamed)");
        JsonNode sc = c.path("securityContext");
        if (sc.path("privileged").asBoolean(false)) {
            problems.add(name + " is privileged");
        }
        for (JsonNode port : c.path("ports")) {
            if (port.has("hostPort")) {
                problems.add(name + " uses a hostPort");
            }
        }
        String seccomp = sc.at("/seccompProfile/type").asText(pod.at("/seccompProfile/type").asText(""));
        if (seccomp.equals("Unconfined") || (!baseline && !List.of("RuntimeDefault", "Localhost").contains(seccomp))) {
            problems.add(name + " has no RuntimeDefault seccomp profile");
        }
        List<String> added = new ArrayList<>();
        sc.at("/capabilities/add").forEach(a -> added.add(a.asText()));
        if (baseline) {
            added.stream().filter(a -> !BASELINE_CAPABILITIES.contains(a))
                    .forEach(a -> problems.add(name + " adds capability " + a));
        } else {
            if (!sc.path("allowPrivilegeEscalation").isBoolean() || sc.path("allowPrivilegeEscalation").asBoolean()) {
                problems.add(name + " does not set allowPrivilegeEscalation: false");
            }
            List<String> dropped = new ArrayList<>();
            sc.at("/capabilities/drop").forEach(d -> dropped.add(d.asText()));
            if (!dropped.contains("ALL")) {
                problems.add(name + " does not drop ALL capabilities");
            }
            added.stream().filter(a -> !a.equals("NET_BIND_SERVICE"))
                    .forEach(a -> problems.add(name + " adds capability " + a));
            boolean nonRoot = sc.path("runAsNonRoot").asBoolean(false) || (!sc.has("runAsNonRoot")
                    && pod.path("runAsNonRoot").asBoolean(false));
            if (!nonRoot) {
                problems.add(name + " may run as root (runAsNonRoot is not true)");
            }
            if (sc.path("runAsUser").asLong(-1) == 0) {
                problems.add(name + " runs as root (runAsUser 0)");
            }
        }
        JsonNode resources = c.path("resources");
        for (String need : List.of("/requests/cpu", "/requests/memory", "/limits/memory")) {
            if (resources.at(need).asText().isEmpty()) {
                problems.add(name + " sets no resources" + need.replace('/', '.'));
            }
        }
    }

    private static void probes(String what, JsonNode spec, boolean liveness, List<String> problems) {
        for (JsonNode c : spec.path("containers")) {
            String name = what + " container " + c.path("name").asText("(unnamed)");
            if (c.path("readinessProbe").isMissingNode()) {
                problems.add(name + " has no readinessProbe");
            }
            if (liveness && c.path("livenessProbe").isMissingNode()) {
                problems.add(name + " has no livenessProbe");
            }
        }
    }
}
