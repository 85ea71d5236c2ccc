package dev.fuseml.artifact;

import dev.fuseml.eventing.Names;
import dev.fuseml.step.RunRef;

import java.util.regex.Pattern;

/**
 * {@code fuseml-artifacts:/ORG/APP/RUN/NAME}: where a run's artifact lives, relative to the control plane (as
 * {@code mlflow-artifacts:/...} is relative to MLflow's tracking server), so that it stays valid when the control
 * plane moves.
 */
public record ArtifactUri(String org, String app, String run, String name) {
    public static final String SCHEME = "fuseml-artifacts:/";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][-a-z0-9_.]{0,62}");

    public ArtifactUri {
        Names.require("org", org);
        Names.require("app", app);
        if (!RunRef.validId(run) || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid artifact " + run + "/" + name);
        }
    }

    public static ArtifactUri of(RunRef ref, String name) {
        return new ArtifactUri(ref.org(), ref.app(), ref.run(), name);
    }

    /** Parses {@code fuseml-artifacts:/ORG/APP/RUN/NAME}; anything else is refused with the form. */
    public static ArtifactUri parse(String uri) {
        if (uri == null || !uri.startsWith(SCHEME)) {
            throw new IllegalArgumentException("'" + uri + "' is not an artifact URI of this control plane: "
                    + "expected " + SCHEME + "ORG/APP/RUN/NAME");
        }
        String[] parts = uri.substring(SCHEME.length()).split("/", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + uri + "' must have the form " + SCHEME + "ORG/APP/RUN/NAME");
        }
        return new ArtifactUri(parts[0], parts[1], parts[2], parts[3]);
    }

    /** The path under the control plane's artifact API and store. */
    public String path() {
        return org + "/" + app + "/" + run + "/" + name;
    }

    @Override
    public String toString() {
        return SCHEME + path();
    }
}
