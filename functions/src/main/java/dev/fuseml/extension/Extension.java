package dev.fuseml.extension;

import java.time.Instant;
import java.util.List;

/**
 * A tool a team already runs, registered with FuseML (fuseml-core's extension registry): an MLflow tracking server,
 * an S3 store, KServe, Seldon Core, a DVC remote, Determined. {@code org} is {@link #GLOBAL} for one that every org
 * may use (an admin's to register). Its credentials are kept apart, encrypted ({@link ExtensionStore}), and never in
 * this record.
 *
 * @param credentials whether credentials are stored with it (never their value)
 */
public record Extension(String org, String name, String kind, String url, String description, boolean credentials,
        Instant created) {
    public static final String GLOBAL = "*";
    public static final List<String> KINDS = List.of("mlflow", "s3", "kserve", "seldon", "dvc-remote", "determined");
}
