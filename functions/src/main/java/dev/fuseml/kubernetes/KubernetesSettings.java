package dev.fuseml.kubernetes;

import java.time.Duration;

/**
 * What the kubernetes platform's steps need to know about the cluster (FUSEML_KUBERNETES_* settings). Each org's
 * Jobs and served apps live in the org's namespace (named as the org), beside its Broker.
 *
 * @param registry       where environment images are pushed and pulled ({@code host[:port]/path})
 * @param pythonImage    the base image of every environment image
 * @param kanikoImage    the image builder (runs without a daemon)
 * @param gitImage       fetches a commit of a codeset into a training pod
 * @param tokenSecret    the Secret in each org's namespace (key {@code token}) with an org token, for Jobs and
 *                       servers that call the control plane: an org token, not the system token, since user code
 *                       runs beside it; never an environment value in a manifest
 * @param controlPlane   the control plane's URL as pods reach it
 * @param brokerUrl      the Knative broker ingress base: an org's events go to BROKER/ORG/default
 * @param buildTimeout   longest an image build Job may run
 * @param trainTimeout   longest a training Job may run ({@code activeDeadlineSeconds})
 * @param readyTimeout   longest a served app may take to become Ready
 * @param trainCpu       CPU request and limit of a training pod
 * @param trainMemory    memory request and limit of a training pod
 * @param serving        what each app's model server gets unless its MLproject says otherwise
 */
public record KubernetesSettings(String registry, String pythonImage, String kanikoImage, String gitImage,
        String tokenSecret, String controlPlane, String brokerUrl, Duration buildTimeout, Duration trainTimeout,
        Duration readyTimeout, String trainCpu, String trainMemory, Serving serving) {

    /**
     * A model server's defaults (FUSEML_KUBERNETES_SERVE_*); an app's MLproject {@code serving} section overrides
     * each ({@code cpu}, {@code memory}, {@code max_scale}, {@code target}).
     *
     * @param cpu      CPU requested (not limited: a throttled server answers late)
     * @param memory   memory requested and limited
     * @param maxScale most replicas Knative's autoscaler may make ({@code autoscaling.knative.dev/max-scale})
     * @param target   concurrent requests per replica the autoscaler aims at ({@code autoscaling.knative.dev/target})
     */
    public record Serving(String cpu, String memory, int maxScale, int target) {
        public static final Serving DEFAULTS = new Serving("100m", "512Mi", 5, 10);

        /** These settings with what the app's MLproject sets instead. */
        public Serving with(dev.fuseml.project.ServingSettings app) {
            if (app == null) {
                return this;
            }
            return new Serving(app.cpu() != null ? app.cpu() : cpu, app.memory() != null ? app.memory() : memory,
                    app.maxScale() != null ? app.maxScale() : maxScale, app.target() != null ? app.target() : target);
        }
    }
}
