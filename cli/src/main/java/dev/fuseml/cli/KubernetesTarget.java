package dev.fuseml.cli;

import dev.fuseml.cli.kubernetes.KubernetesInstaller;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * The CLI's way onto a cluster, in a class of its own: picocli never touches it for other commands, so the
 * Kubernetes client's classes load only when {@code install --kubernetes} or {@code uninstall --kubernetes} runs.
 */
final class KubernetesTarget {
    static final String IN_CLUSTER_URL = "http://fuseml-control-plane.fuseml-system.svc.cluster.local";

    private KubernetesTarget() {
    }

    /** Installs and returns the control plane's in-cluster URL. */
    static String install(String context, String adminTokenSha256, Duration timeout, PrintWriter out)
            throws InterruptedException {
        try (KubernetesClient client = client(context)) {
            out.println("Installing FuseML on " + client.getMasterUrl());
            KubernetesInstaller installer = new KubernetesInstaller(client, out);
            // the local default's two minutes are too short for pulling images on a cluster
            Duration wait = timeout.equals(Duration.ofMinutes(2)) ? Duration.ofMinutes(5) : timeout;
            installer.install(installer.manifests(), adminTokenSha256, wait);
            return IN_CLUSTER_URL;
        } catch (KubernetesInstaller.InstallException e) {
            throw new CliException(e.getMessage());
        } catch (KubernetesClientException e) {
            throw new CliException("the cluster at " + where(context) + " refused or did not answer: "
                    + rootCause(e) + " (check the kubeconfig context, and that your user may create namespaces, "
                    + "RBAC and Knative resources)");
        }
    }

    private static String where(String context) {
        return context == null || context.isEmpty() ? "the current kubeconfig context" : "context " + context;
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.getMessage() : e.getMessage() + ": " + root;
    }

    static void uninstall(String context, PrintWriter out) {
        try (KubernetesClient client = client(context)) {
            KubernetesInstaller installer = new KubernetesInstaller(client, out);
            int n = installer.uninstall(installer.manifests()).size();
            out.println("Removed " + n + " resources install had made");
            out.flush();
        } catch (KubernetesClientException e) {
            throw new CliException("the cluster at " + where(context) + " refused or did not answer: "
                    + rootCause(e));
        }
    }

    private static KubernetesClient client(String context) {
        Config config = context == null || context.isEmpty() ? Config.autoConfigure(null)
                : Config.autoConfigure(context);
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
