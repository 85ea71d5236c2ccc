package dev.fuseml.mock;

import dev.fuseml.codeset.CodesetSource;
import dev.fuseml.step.StepFailure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Codesets as files in memory: repository URL and commit to file name and content. */
public class FakeCodesetSource implements CodesetSource {
    private final Map<String, Map<String, String>> commits = new HashMap<>();
    public int checkouts;

    public FakeCodesetSource with(String repository, String commit, Map<String, String> files) {
        commits.put(repository + "@" + commit, files);
        return this;
    }

    @Override
    public synchronized String checkout(String repository, String commit, Path target) throws Exception {
        checkouts++;
        Map<String, String> files = commits.get(repository + "@" + commit);
        if (files == null) {
            throw new StepFailure("commit " + commit + " is not in " + repository);
        }
        Files.createDirectories(target);
        for (var file : files.entrySet()) {
            Files.createDirectories(target.resolve(file.getKey()).getParent());
            Files.writeString(target.resolve(file.getKey()), file.getValue());
        }
        return commit;
    }
}
