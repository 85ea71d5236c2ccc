package dev.fuseml.extension.kubernetes;

import dev.fuseml.extension.ToolDetector;
import dev.fuseml.kubernetes.Cluster;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a cluster has installed: KServe and Seldon Core by their CRDs (the serve step can use them:
 * {@code serving.serve_target}), and MLflow tracking servers by the labels their charts put on their Services
 * ({@code app.kubernetes.io/name=mlflow}, or the older {@code app=mlflow}), in any namespace. Asking needs the
 * control plane's read of those CRDs and its list of Services (config/10-serviceaccount.yaml, fuseml-tool-detector);
 * where the cluster refuses, that part finds nothing.
 */
public final class ClusterTools implements ToolDetector {
    /** The CRDs that say a tool is installed, and the kind it is registered as. */
    static final Map<String, String> CRDS = Map.of("inferenceservices.serving.kserve.io", "kserve",
            "models.mlops.seldon.io", "seldon", "seldondeployments.machinelearning.seldon.io", "seldon");
    private static final List<Map.Entry<String, String>> MLFLOW_LABELS = List.of(
            Map.entry("app.kubernetes.io/name", "mlflow"), Map.entry("app", "mlflow"));

    private final Cluster cluster;

    public ClusterTools(Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public List<Suggestion> detect() {
        List<Suggestion> found = new ArrayList<>();
        for (String crd : List.of("inferenceservices.serving.kserve.io", "models.mlops.seldon.io",
                "seldondeployments.machinelearning.seldon.io")) {
            if (cluster.hasCrd(crd) && found.stream().noneMatch(s -> s.kind().equals(CRDS.get(crd)))) {
                found.add(new Suggestion(CRDS.get(crd), CRDS.get(crd), null, "CRD " + crd));
            }
        }
        Map<String, Service> services = new LinkedHashMap<>();
        for (Map.Entry<String, String> label : MLFLOW_LABELS) {
            try {
                for (Service s : cluster.client().services().inAnyNamespace().withLabel(label.getKey(),
                        label.getValue()).list().getItems()) {
                    services.putIfAbsent(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s);
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() != 403) {
                    throw e;
                }
                // not allowed to list Services: nothing found this way
            }
        }
        for (Service s : services.values()) {
            String namespace = s.getMetadata().getNamespace();
            String name = s.getMetadata().getName();
            List<ServicePort> ports = s.getSpec() == null || s.getSpec().getPorts() == null ? List.of()
                    : s.getSpec().getPorts();
            int port = ports.isEmpty() ? 80 : ports.get(0).getPort();
            found.add(new Suggestion(name, "mlflow", "http://" + name + "." + namespace + ".svc.cluster.local"
                    + (port == 80 ? "" : ":" + port), "Service " + namespace + "/" + name + " labelled mlflow"));
        }
        return found;
    }
}
