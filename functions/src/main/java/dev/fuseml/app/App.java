package dev.fuseml.app;

import java.time.Instant;

/**
 * An app: the code pushed under one name, its served model version and prediction URL.
 *
 * @param status  {@code new} until a first version is served, then {@code serving}; {@code failed} while no
 *                version serves and the last run failed
 * @param port    the port of its prediction URL (0 until first served)
 * @param codeset the git repository URL of its code ({@code git clone} it)
 * @param tokenRequired whether its prediction URL requires a prediction token ({@code fuseml protect})
 */
public record App(String org, String name, String status, Integer version, String url, int port, String lastRun,
        Instant created, String codeset, boolean tokenRequired, String branch) {
    /** The branch an app follows until told otherwise: pushes to it start runs. */
    public static final String DEFAULT_BRANCH = "main";

    public App(String org, String name, String status, Integer version, String url, int port, String lastRun,
            Instant created, String codeset, boolean tokenRequired) {
        this(org, name, status, version, url, port, lastRun, created, codeset, tokenRequired, null);
    }

    /** The branch whose pushes start runs (and which the CLI's pushes and webhooks' fetches move). */
    public String followedBranch() {
        return branch == null ? DEFAULT_BRANCH : branch;
    }

    public App following(String name) {
        return new App(org, this.name, status, version, url, port, lastRun, created, codeset, tokenRequired, name);
    }
    public static final String NEW = "new";
    public static final String SERVING = "serving";
    public static final String FAILED = "failed";

    public App serving(int servedVersion, String servedUrl, int servedPort) {
        return new App(org, name, SERVING, servedVersion, servedUrl, servedPort, lastRun, created, codeset,
                tokenRequired, branch);
    }

    public App withCodeset(String repository) {
        return new App(org, name, status, version, url, port, lastRun, created, repository, tokenRequired, branch);
    }

    public App withLastRun(String run) {
        return new App(org, name, status, version, url, port, run, created, codeset, tokenRequired, branch);
    }

    public App withTokenRequired(boolean required) {
        return new App(org, name, status, version, url, port, lastRun, created, codeset, required, branch);
    }

    public App failedRun() {
        return version == null ? new App(org, name, FAILED, null, url, port, lastRun, created, codeset,
                tokenRequired, branch) : this;
    }
}
