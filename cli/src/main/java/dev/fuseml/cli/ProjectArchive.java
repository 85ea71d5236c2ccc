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

    /**
     * Where the archive lists the project's symbolic links ({@code {"PATH": "TARGET"}}): a zip made here carries
     * no link, and the orchestrator makes them again (inside the project only) when it unpacks the archive.
     */
    public static final String LINKS = ".fuseml-links.json";

    public static byte[] zip(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new CliException(dir + " is not a directory: push the directory that holds your MLproject "
                    + "or train.py");
        }
        Path root = dir.toAbsolutePath().normalize();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // links are not followed: a link to a file outside the project would upload that file
        try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> walk = Files.walk(root)) {
            List<Path> paths = walk.filter(p -> !p.equals(root) && !skipped(root.relativize(p))).sorted().toList();
            java.util.Map<String, String> links = new java.util.TreeMap<>();
            List<Path> files = new java.util.ArrayList<>();
            for (Path p : paths) {
                String name = root.relativize(p).toString().replace('\\', '/');
                if (Files.isSymbolicLink(p)) {
                    links.put(name, target(root, p, name));
                } else if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    files.add(p);
                }
            }
            if (files.isEmpty()) {
                throw new CliException(dir + " is empty: nothing to push");
            }
            for (Path file : files) {
                zip.putNextEntry(new ZipEntry(root.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, zip);
                zip.closeEntry();
            }
            if (!links.isEmpty()) {
                zip.putNextEntry(new ZipEntry(LINKS));
                zip.write(OrchestratorClient.JSON.writeValueAsBytes(links));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** A link's target, when it stays inside the project (as a relative path); else the push is refused. */
    private static String target(Path root, Path link, String name) throws IOException {
        Path target = Files.readSymbolicLink(link);
        Path resolved = link.getParent().resolve(target).normalize();
        if (target.isAbsolute() || !resolved.startsWith(root) || resolved.equals(root)) {
            throw new CliException("'" + name + "' is a link to " + target + ", outside the project: copy what it "
                    + "points to into the project, or remove the link");
        }
        return target.toString().replace('\\', '/');
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
