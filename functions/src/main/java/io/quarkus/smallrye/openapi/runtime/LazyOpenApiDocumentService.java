package io.quarkus.smallrye.openapi.runtime;

import io.quarkus.arc.Unremovable;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import io.quarkus.smallrye.openapi.runtime.filter.AutoSecurityFilter;
import io.smallrye.openapi.runtime.io.Format;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * FuseML's: the OpenAPI document is prepared when it is first asked for, not while the application starts.
 *
 * <p>Quarkus parses the document its build generated, runs its filters and writes it as JSON and YAML at every
 * start (a recorder calls {@link #prepareDocument}): about 250 classes and 0.2 s of each role's start, a quarter of
 * the main thread's work, on a JVM that a step function starts from zero whenever Knative scales it up, and that
 * almost never serves {@code /q/openapi}. This replacement (an alternative bean of the same type, so the recorder and
 * the route get it) keeps what the recorder asked for and does it on the first request, with the class loader the
 * recorder had.
 *
 * <p>It lives in Quarkus' package because {@code prepareDocument} is package-private there, and it is a bean of the
 * prod build only: a package-private method is overridden only within one class loader, which the packaged
 * application has (aot-jar puts the application and its libraries alike on the JVM's class path) and
 * {@code @QuarkusTest} does not. {@code DistributedChainIT} reads {@code /q/openapi} from the packaged control plane,
 * and the image's AOT training asks it of every role's build.
 */
@Alternative
@Priority(1)
@ApplicationScoped
@Unremovable
@IfBuildProfile("prod")
public class LazyOpenApiDocumentService extends OpenApiDocumentService {
    private final List<Runnable> pending = new ArrayList<>();

    @Override
    void prepareDocument(AutoSecurityFilter autoSecurityFilter, Map<OpenApiFilter.RunStage, List<String>> filters,
            String documentName) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        synchronized (pending) {
            pending.add(() -> {
                Thread thread = Thread.currentThread();
                ClassLoader own = thread.getContextClassLoader();
                thread.setContextClassLoader(loader);
                try {
                    super.prepareDocument(autoSecurityFilter, filters, documentName);
                } finally {
                    thread.setContextClassLoader(own);
                }
            });
        }
    }

    @Override
    public byte[] getDocument(String documentName, Format format) {
        synchronized (pending) {
            pending.forEach(Runnable::run);
            pending.clear();
        }
        return super.getDocument(documentName, format);
    }
}
