package dev.fuseml.app;

import java.time.Instant;

/**
 * An app: the code pushed under one name, its served model version and prediction URL.
 *
 * @param status  {@code new} until a first version is served, then {@code serving}; {@code failed} while no
 *                version serves and the last run failed
 * @param port    the local port its prediction server keeps across versions and restarts (0 until first served)
 */
public record App(String org, String name, String status, Integer version, String url, int port, String lastRun,
        Instant created) {
    public static final String NEW = "new";
    public static final String SERVING = "serving";
    public static final String FAILED = "failed";

    public App serving(int servedVersion, String servedUrl, int servedPort) {
        return new App(org, name, SERVING, servedVersion, servedUrl, servedPort, lastRun, created);
    }

    public App withLastRun(String run) {
        return new App(org, name, status, version, url, port, run, created);
    }

    public App failedRun() {
        return version == null ? new App(org, name, FAILED, null, url, port, lastRun, created) : this;
    }
}
