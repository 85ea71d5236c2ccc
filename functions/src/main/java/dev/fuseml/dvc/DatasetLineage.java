package dev.fuseml.dvc;

import dev.fuseml.codeset.CommitReader;

import java.io.IOException;
import java.util.List;

/**
 * The dataset versions a commit of an app's codeset pins through DVC: read by the control plane from the codeset it
 * keeps, so every trainer (a local process, a Kubernetes Job, Determined) gets the same lineage without reporting it.
 */
public class DatasetLineage {
    /** No codesets to read (a registry without them, in tests): no lineage. */
    public static final DatasetLineage NONE = new DatasetLineage(null);
    private final CommitReader codesets;

    public DatasetLineage(CommitReader codesets) {
        this.codesets = codesets;
    }

    /** @return the commit's datasets; none when the commit is not in the app's codeset or uses no DVC */
    public List<Dataset> of(String org, String app, String commit) throws IOException {
        if (codesets == null) {
            return List.of();
        }
        return codesets.read(org, app, commit, DvcFiles::isDvcFile, DvcFiles.MAX_FILES, DvcFiles.MAX_FILE_BYTES)
                .map(files -> DvcFiles.datasets(files.contents(), files.paths())).orElse(List.of());
    }
}
