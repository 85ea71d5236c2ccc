package dev.fuseml.codeset.git;

import dev.fuseml.codeset.CodesetArchives;
import dev.fuseml.codeset.CodesetSource;
import dev.fuseml.reference.OrgReferences;
import dev.fuseml.step.StepFailure;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fetches codesets over git (smart HTTP, or any transport JGit speaks) into a bare mirror per repository kept in
 * this process's cache directory, so a re-push transfers only the new commit; then writes the commit's files out.
 */
public class JGitCodesetSource implements CodesetSource {
    private final Path cache;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    private final Supplier<String> controlPlane;
    private final String token;

    /**
     * @param cache        where mirrors of fetched repositories are kept
     * @param controlPlane the control plane's URL: its codesets are fetched with {@code token}, nothing else is
     * @param token        the deployment's token, sent as git's basic password
     */
    public JGitCodesetSource(Path cache, Supplier<String> controlPlane, String token) {
        this.cache = cache;
        this.controlPlane = controlPlane;
        this.token = token;
    }

    /** Credentials go to the control plane's own codesets only, never to another host a push names. */
    private CredentialsProvider credentials(String repository) {
        return token != null && OrgReferences.ownCodeset(controlPlane.get(), repository)
                ? new UsernamePasswordCredentialsProvider("fuseml", token) : CredentialsProvider.getDefault();
    }

    @Override
    public String checkout(String repository, String commit, Path target) throws IOException {
        Path mirror = mirror(repository);
        synchronized (locks.computeIfAbsent(mirror.toString(), r -> new Object())) {
            fetch(repository, mirror, credentials(repository));
            try (Repository repo = new FileRepositoryBuilder().setGitDir(mirror.toFile()).setMustExist(true).build()) {
                ObjectId id = repo.resolve(commit.startsWith("refs/") ? commit : commit + "^{commit}");
                if (id == null) {
                    throw new StepFailure("commit " + commit + " is not in " + repository + ": push the code again");
                }
                write(repo, id, target);
                return id.name();
            }
        }
    }

    private static void fetch(String repository, Path mirror, CredentialsProvider credentials) throws IOException {
        try {
            if (Files.isDirectory(mirror.resolve("objects")) && Files.isRegularFile(mirror.resolve("HEAD"))) {
                try (Git git = Git.open(mirror.toFile())) {
                    org.eclipse.jgit.transport.FetchResult result = git.fetch().setRemote(repository)
                            .setCredentialsProvider(credentials).setRefSpecs(new RefSpec("+refs/heads/*:refs/heads/*"))
                            .setRemoveDeletedRefs(true).call();
                    if (result.getTrackingRefUpdates().stream().allMatch(JGitCodesetSource::applied)) {
                        return;
                    }
                } catch (GitAPIException | IOException | RuntimeException e) {
                    // A mirror is only a cache: one a killed fetch left locked or broken is cloned again below.
                }
            }
            // A clone goes to a directory of its own and is moved into place whole: a process killed mid-clone
            // leaves a partial directory that the next attempt removes, never a mirror that blocks every later
            // clone ("destination path already exists").
            Files.createDirectories(mirror.getParent());
            deleteQuietly(mirror);
            Path partial = mirror.resolveSibling(mirror.getFileName() + ".partial");
            deleteQuietly(partial);
            Git.cloneRepository().setURI(repository).setCredentialsProvider(credentials).setDirectory(partial.toFile())
                    .setBare(true).setCloneAllBranches(true).call().close();
            Files.move(partial, mirror, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (GitAPIException | org.eclipse.jgit.api.errors.JGitInternalException e) {
            deleteQuietly(mirror);
            throw new StepFailure("cannot fetch the codeset " + repository + ": " + e.getMessage()
                    + " (is the control plane running? fuseml status)");
        }
    }

    /** Whether a fetched ref was stored (a stale lock file answers LOCK_FAILURE instead of throwing). */
    private static boolean applied(org.eclipse.jgit.transport.TrackingRefUpdate update) {
        return switch (update.getResult()) {
            case NEW, FORCED, FAST_FORWARD, NO_CHANGE, RENAMED -> true;
            default -> false;
        };
    }

    private static void write(Repository repo, ObjectId id, Path target) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        try (RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader();
                TreeWalk tree = new TreeWalk(reader)) {
            RevCommit revCommit = walk.parseCommit(id);
            tree.addTree(revCommit.getTree());
            tree.setRecursive(true);
            Files.createDirectories(root);
            while (tree.next()) {
                Path file = root.resolve(tree.getPathString()).normalize();
                if (!file.startsWith(root)) {
                    throw new IOException("path escapes the checkout: " + tree.getPathString());
                }
                FileMode mode = tree.getFileMode(0);
                if (FileMode.GITLINK.equals(mode)) {
                    continue; // submodules are not fetched
                }
                if (FileMode.SYMLINK.equals(mode)) {
                    // a link that stays inside the checkout is made; one that leaves it (a git push may carry
                    // any) is left out, as it could read the step's machine
                    String linked = new String(reader.open(tree.getObjectId(0)).getCachedBytes(4096),
                            StandardCharsets.UTF_8);
                    if (CodesetArchives.linkStaysInside(root, file, linked)) {
                        Files.createDirectories(file.getParent());
                        Files.createSymbolicLink(file, Path.of(linked));
                    }
                    continue;
                }
                Files.createDirectories(file.getParent());
                try (OutputStream out = Files.newOutputStream(file)) {
                    reader.open(tree.getObjectId(0)).copyTo(out);
                }
                if (FileMode.EXECUTABLE_FILE.equals(mode)) {
                    file.toFile().setExecutable(true);
                }
            }
        }
    }

    @Override
    public void forget(String repository) {
        Path mirror = mirror(repository);
        synchronized (locks.computeIfAbsent(mirror.toString(), r -> new Object())) {
            dev.fuseml.workspace.Workspaces.delete(mirror);
        }
    }

    /** A mirror per repository, however its URL was spelled (a codeset can be named in several ways). */
    private Path mirror(String repository) {
        String key;
        try {
            key = OrgReferences.canonicalUrl(repository);
        } catch (IllegalArgumentException e) {
            key = repository; // not http(s): the step refuses it before fetching
        }
        return cache.resolve(hash(key) + ".git");
    }

    private static String hash(String repository) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(repository.getBytes(StandardCharsets.UTF_8))).substring(0, 20);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            dev.fuseml.workspace.Workspaces.delete(dir);
        } catch (RuntimeException ignored) {
            // a broken mirror is replaced at the next fetch
        }
    }
}
