package dev.fuseml.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Zips a project directory for upload, leaving out what is never code (VCS data, caches, virtual envs). */
public final class ProjectArchive {
    private static final Set<String> SKIPPED = Set.of(".git", "__pycache__", ".venv", "venv", ".mypy_cache",
            ".pytest_cache", "mlruns", ".ipynb_checkpoints");

    private ProjectArchive() {
    }

    public static byte[] zip(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new CliException(dir + " is not a directory: push the directory that holds your MLproject "
                    + "or train.py");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> walk = Files.walk(dir)) {
            List<Path> files = walk.filter(Files::isRegularFile)
                    .filter(p -> dir.relativize(p).toString().isEmpty() || !skipped(dir.relativize(p)))
                    .sorted().toList();
            if (files.isEmpty()) {
                throw new CliException(dir + " is empty: nothing to push");
            }
            for (Path file : files) {
                zip.putNextEntry(new ZipEntry(dir.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, zip);
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static boolean skipped(Path relative) {
        for (Path part : relative) {
            if (SKIPPED.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }
}
