package dev.fuseml.build.kubernetes;

import dev.fuseml.build.EnvironmentBuilder;
import dev.fuseml.codeset.CodesetSource;
import dev.fuseml.kubernetes.Cluster;
import dev.fuseml.kubernetes.KubernetesSettings;
import dev.fuseml.kubernetes.Names;
import dev.fuseml.kubernetes.Projects;
import dev.fuseml.project.DependencySpec;
import dev.fuseml.project.Project;
import dev.fuseml.step.StepFailure;
import dev.fuseml.step.StepLog;
import dev.fuseml.workspace.Workspaces;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds environments as images, with a Kaniko Job (no Docker daemon): the Python base image plus the project's
 * dependencies, pushed to the configured registry and tagged with the hash of the dependency spec. The Job is named
 * after that hash, so it is the cache: a second run with the same dependencies finds it complete and reuses its
 * image, and one that arrives while it builds waits for the same Job. Its build context (the Dockerfile and the
 * requirements) is a ConfigMap the Job owns.
 */
public class ImageBuildJobs implements EnvironmentBuilder {
    private static final String STEP = dev.fuseml.eventing.Steps.BUILD;
    private static final int EXCERPT_LINES = 20;
    private static final Map<String, String> LABELS = dev.fuseml.kubernetes.Labels.of("fuseml-build",
            dev.fuseml.kubernetes.Labels.IMAGE_BUILD);
    private final Cluster cluster;
    private final KubernetesSettings settings;
    private final CodesetSource codesets;
    private final Workspaces workspaces;
    private final StepLog log;

    public ImageBuildJobs(Cluster cluster, KubernetesSettings settings, CodesetSource codesets,
            Workspaces workspaces, StepLog log) {
        this.cluster = cluster;
        this.settings = settings;
        this.codesets = codesets;
        this.workspaces = workspaces;
        this.log = log;
    }

    @Override
    public String build(BuildJob job) throws Exception {
        Project project = Projects.read(codesets, workspaces, job.ref(), STEP, job.repository(), job.commit(),
                job.entryPoint(), job.params());
        DependencySpec dependencies = project.dependencies();
        String hash = dependencies.hash(settings.pythonImage());
        String image = settings.registry() + "/fuseml-env:" + hash;
        String namespace = job.ref().org();
        String name = jobName(hash);
        Optional<Job> existing = cluster.job(namespace, name);
        if (existing.isPresent() && Cluster.failed(existing.get())) {
            // a failed build is tried again by the next run: the registry or a mirror may have been down
            cluster.client().batch().v1().jobs().inNamespace(namespace).withName(name).delete();
            existing = Optional.empty();
        }
        if (existing.isPresent() && Cluster.complete(existing.get())) {
            log.note(job.ref().run(), STEP, "image " + image + " exists (built by Job " + name + ")");
            return image;
        }
        if (existing.isEmpty()) {
            cluster.ensureRunnerFiles(namespace);
            Job created = cluster.client().batch().v1().jobs().inNamespace(namespace)
                    .resource(kanikoJob(namespace, name, image, hash)).create();
            cluster.client().configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
                    .withName(name).withNamespace(namespace).withLabels(LABELS)
                    .addToOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                            .withName(name).withUid(created.getMetadata().getUid()).withController(true).build())
                    .endMetadata()
                    .addToData("Dockerfile", Cluster.runnerFile("Dockerfile"))
                    .addToData("requirements.txt", String.join("\n", dependencies.requirements()) + "\n")
                    .build()).createOr(op -> op.update());
            log.note(job.ref().run(), STEP, "building image " + image + " with Job " + namespace + "/" + name
                    + " (" + dependencies.requirements().size() + " requirement(s))");
        } else {
            log.note(job.ref().run(), STEP, "image " + image + " is being built by Job " + name + ": waiting");
        }
        Job done = cluster.awaitJob(namespace, name, settings.buildTimeout()).orElseThrow(() -> new StepFailure(
                "the image build Job " + name + " took longer than " + settings.buildTimeout()
                        + " (fuseml.kubernetes.build-timeout)", cluster.logTail(namespace, name, EXCERPT_LINES)));
        if (Cluster.failed(done)) {
            throw new StepFailure("the image build Job " + name + " failed (" + Cluster.failure(done) + "); its "
                    + "log ends with the cause", cluster.logTail(namespace, name, EXCERPT_LINES));
        }
        log.note(job.ref().run(), STEP, "image " + image + " built");
        return image;
    }

    static String jobName(String hash) {
        return Names.label("fuseml-build", hash);
    }

    private Job kanikoJob(String namespace, String name, String image, String hash) {
        List<String> args = List.of("--dockerfile=/workspace/Dockerfile", "--context=dir:///workspace",
                "--destination=" + image, "--build-arg=BASE=" + settings.pythonImage(), "--cache=true",
                "--cache-repo=" + settings.registry() + "/fuseml-cache", "--snapshot-mode=redo");
        return new JobBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(LABELS).addToLabels(Cluster.STEP_LABEL, STEP)
                .addToAnnotations("fuseml.dev/image", image).addToAnnotations("fuseml.dev/dependencies-hash", hash)
                .endMetadata()
                .withNewSpec().withBackoffLimit(1)
                .withActiveDeadlineSeconds(settings.buildTimeout().toSeconds())
                .withNewTemplate().withNewMetadata().withLabels(LABELS).endMetadata()
                // Kaniko unpacks images as root: the "baseline" standard, not "restricted" (see PodSecurity);
                // no service account token, nothing of the cluster's API in reach
                .withNewSpec().withRestartPolicy("Never").withAutomountServiceAccountToken(false)
                .withNewSecurityContext().withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addNewContainer().withName("kaniko").withImage(settings.kanikoImage()).withArgs(args)
                .withSecurityContext(dev.fuseml.kubernetes.PodSecurity.baselineContainer())
                .addNewVolumeMount().withName("context").withMountPath("/workspace").endVolumeMount()
                .addNewVolumeMount().withName("registry-auth").withMountPath("/kaniko/.docker").endVolumeMount()
                .withNewResources().addToRequests(Map.of("cpu", quantity("500m"), "memory", quantity("1Gi")))
                .addToLimits(Map.of("memory", quantity("4Gi"))).endResources()
                .endContainer()
                .addNewVolume().withName("context").withNewConfigMap().withName(name).endConfigMap().endVolume()
                // optional: a registry without credentials needs no Secret
                .addNewVolume().withName("registry-auth").withNewSecret().withSecretName("fuseml-registry")
                .withOptional(true).addNewItem().withKey(".dockerconfigjson").withPath("config.json").endItem()
                .endSecret().endVolume()
                .endSpec().endTemplate().endSpec().build();
    }

    private static io.fabric8.kubernetes.api.model.Quantity quantity(String amount) {
        return new io.fabric8.kubernetes.api.model.Quantity(amount);
    }
}
