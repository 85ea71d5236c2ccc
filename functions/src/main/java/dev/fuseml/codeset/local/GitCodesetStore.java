package dev.fuseml.codeset.local;

import dev.fuseml.FusemlConfig;
import dev.fuseml.codeset.CodesetStore;
import dev.fuseml.workspace.Workspaces;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Codesets as bare git repositories on disk ({@code codesets/ORG/APP.git}), so that users and tools can clone
 * them (over HTTP through {@link CodesetGitServlet}). Commits are written straight into the object database: no
 * working tree is needed.
 */
@ApplicationScoped
public class GitCodesetStore implements CodesetStore, dev.fuseml.codeset.CommitReader {
    private static final String MAIN = "refs/heads/main";
    private static final PersonIdent AUTHOR = new PersonIdent("FuseML", "fuseml@localhost");
    private final Path root;

    public GitCodesetStore(FusemlConfig config) {
        this.root = config.dataDir().resolve("codesets");
    }

    public Path repository(String org, String app) {
        return root.resolve(org).resolve(app + ".git");
    }

    @Override
    public synchronized String commit(String org, String app, Path source, String message) throws IOException {
        try (Repository repo = open(org, app, true); ObjectInserter inserter = repo.newObjectInserter()) {
            DirCache index = DirCache.newInCore();
            DirCacheBuilder builder = index.builder();
            for (Path file : files(source)) {
                String path = source.relativize(file).toString().replace('\\', '/');
                DirCacheEntry entry = new DirCacheEntry(path);
                if (Files.isSymbolicLink(file)) {
                    // as git records a link: its target is the blob (the archive made only links inside)
                    entry.setFileMode(FileMode.SYMLINK);
                    entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, Constants.encode(
                            Files.readSymbolicLink(file).toString())));
                    builder.add(entry);
                    continue;
                }
                entry.setFileMode(Files.isExecutable(file) ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE);
                try (java.io.InputStream in = Files.newInputStream(file)) {
                    // streamed: a large data file must not be held in memory
                    entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, Files.size(file), in));
                }
                builder.add(entry);
            }
            builder.finish();
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(index.writeTree(inserter));
            String branch = followed(repo);
            ObjectId parent = repo.resolve(branch);
            if (parent != null) {
                commit.setParentId(parent);
            }
            commit.setAuthor(new PersonIdent(AUTHOR, java.time.Instant.now()));
            commit.setCommitter(new PersonIdent(AUTHOR, java.time.Instant.now()));
            commit.setMessage(message);
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            RefUpdate update = repo.updateRef(branch);
            update.setNewObjectId(id);
            update.setExpectedOldObjectId(parent == null ? ObjectId.zeroId() : parent);
            RefUpdate.Result result = update.update();
            if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FAST_FORWARD) {
                throw new IOException("could not move " + branch + " of " + org + "/" + app + ": " + result);
            }
            return id.name();
        }
    }

    @Override
    public synchronized void follow(String org, String app, String branch) throws IOException {
        String ref = Constants.R_HEADS + branch;
        if (branch == null || branch.length() > 100 || !Repository.isValidRefName(ref) || branch.startsWith("-")) {
            throw new IllegalArgumentException("'" + branch + "' is not a branch name git takes (letters, digits, "
                    + "'/', '.', '_', '-'; no '..', no spaces, at most 100 characters)");
        }
        try (Repository repo = open(org, app, true)) {
            RefUpdate head = repo.updateRef(Constants.HEAD);
            RefUpdate.Result result = head.link(ref);
            if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FORCED
                    && result != RefUpdate.Result.NO_CHANGE) {
                throw new IOException("could not point HEAD of " + org + "/" + app + " at " + ref + ": " + result);
            }
        }
    }

    /** The branch the app follows: its HEAD's target ({@code refs/heads/main} unless told otherwise). */
    public static String followed(Repository repo) throws IOException {
        org.eclipse.jgit.lib.Ref head = repo.exactRef(Constants.HEAD);
        return head != null && head.isSymbolic() ? head.getTarget().getName() : MAIN;
    }

    @Override
    public synchronized void delete(String org, String app) {
        Workspaces.delete(repository(org, app));
    }

    /**
     * Fetches {@code branch} of {@code repository} (a git host's) into the app's codeset as the branch it follows,
     * the host's history being the app's; answers whether {@code commit} is there now.
     */
    public synchronized boolean fetch(String org, String app, String repository, String branch, String commit,
            org.eclipse.jgit.transport.CredentialsProvider credentials) throws IOException {
        try (Repository repo = open(org, app, true); org.eclipse.jgit.api.Git git = new org.eclipse.jgit.api.Git(repo)) {
            git.fetch().setRemote(repository).setCredentialsProvider(credentials)
                    .setRefSpecs(new org.eclipse.jgit.transport.RefSpec("+refs/heads/" + branch + ":" + followed(repo)))
                    .call();
            ObjectId id = repo.resolve(commit + "^{commit}");
            return id != null;
        } catch (org.eclipse.jgit.api.errors.GitAPIException e) {
            throw new IOException("cannot fetch " + branch + " of " + repository + ": " + e.getMessage(), e);
        }
    }

    @Override
    public java.util.Optional<CommitFiles> read(String org, String app, String commit,
            java.util.function.Predicate<String> wanted, int maxFiles, int maxBytes) throws IOException {
        if (!Files.isDirectory(repository(org, app)) || commit == null || !commit.matches("[0-9a-f]{40}")) {
            return java.util.Optional.empty();
        }
        try (Repository repo = open(org, app, false);
             org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(repo);
             org.eclipse.jgit.treewalk.TreeWalk tree = new org.eclipse.jgit.treewalk.TreeWalk(repo)) {
            org.eclipse.jgit.revwalk.RevCommit found;
            try {
                found = walk.parseCommit(ObjectId.fromString(commit));
            } catch (org.eclipse.jgit.errors.MissingObjectException
                     | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
                return java.util.Optional.empty(); // not a commit of this codeset
            }
            tree.addTree(found.getTree());
            tree.setRecursive(true);
            java.util.Set<String> paths = new java.util.HashSet<>();
            java.util.Map<String, byte[]> contents = new java.util.TreeMap<>();
            while (tree.next()) {
                String path = tree.getPathString();
                paths.add(path);
                if (wanted.test(path) && contents.size() < maxFiles
                        && tree.getFileMode(0).getObjectType() == Constants.OBJ_BLOB) {
                    org.eclipse.jgit.lib.ObjectLoader blob = repo.open(tree.getObjectId(0));
                    if (blob.getSize() <= maxBytes) {
                        contents.put(path, blob.getBytes());
                    }
                }
            }
            return java.util.Optional.of(new CommitFiles(paths, contents));
        }
    }

    /** The app's repository, made (empty, HEAD at main) when it has none: the first {@code git push} of an app. */
    public synchronized Repository openOrCreate(String org, String app) throws IOException {
        return open(org, app, true);
    }

    /** The app's repository, for the git HTTP server; throws when it has none. */
    public Repository open(String org, String app) throws IOException {
        return open(org, app, false);
    }

    private Repository open(String org, String app, boolean create) throws IOException {
        Path dir = repository(org, app);
        if (!Files.isDirectory(dir)) {
            if (!create) {
                throw new IOException("app " + org + "/" + app + " has no codeset");
            }
            Files.createDirectories(dir);
            Repository repo = FileRepositoryBuilder.create(dir.toFile());
            repo.create(true);
            // Point HEAD at main, so that a clone checks out the pushed code.
            RefUpdate head = repo.updateRef(Constants.HEAD);
            head.link(MAIN);
            return repo;
        }
        return new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
    }

    private static List<Path> files(Path source) throws IOException {
        try (Stream<Path> all = Files.walk(source)) {
            return all.filter(p -> Files.isSymbolicLink(p) || Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .sorted().toList();
        }
    }
}
