package dev.fuseml.kubernetes;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;

import java.util.Map;

/**
 * The security contexts of Kubernetes' "restricted" Pod Security Standard, for every pod FuseML makes (training,
 * model servers) and config/'s: a non-root user, no privilege escalation, every capability dropped, the runtime's
 * default seccomp profile. Users' code runs under them, so it can neither become root nor reach the node's kernel
 * beyond what the runtime allows. The one exception is the image build (Kaniko unpacks images as root): it meets
 * the "baseline" standard instead ({@link #baselineContainer()}).
 */
public final class PodSecurity {
    /** The user FuseML's images and users' environment images run as. */
    public static final long USER = 1000L;
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private PodSecurity() {
    }

    public static PodSecurityContext restrictedPod() {
        return new PodSecurityContextBuilder().withRunAsNonRoot(true).withRunAsUser(USER).withRunAsGroup(USER)
                .withFsGroup(USER).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().build();
    }

    public static SecurityContext restrictedContainer() {
        return new SecurityContextBuilder().withAllowPrivilegeEscalation(false).withRunAsNonRoot(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().build();
    }

    /** Kaniko's: root, with the runtime's default capabilities (it chowns and setuids files), nothing more. */
    public static SecurityContext baselineContainer() {
        return new SecurityContextBuilder().withAllowPrivilegeEscalation(false).withPrivileged(false)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().build();
    }

    /** The same, as the maps of a resource FuseML builds untyped (Knative Services, InferenceServices). */
    public static Map<String, Object> restrictedPodMap() {
        return asMap(restrictedPod());
    }

    public static Map<String, Object> restrictedContainerMap() {
        return asMap(restrictedContainer());
    }

    private static Map<String, Object> asMap(Object model) {
        return dev.fuseml.state.JsonFiles.MAPPER.convertValue(model, MAP);
    }
}
