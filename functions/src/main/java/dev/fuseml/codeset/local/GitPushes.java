package dev.fuseml.codeset.local;

import org.eclipse.jgit.lib.Constants;
import dev.fuseml.codeset.CodesetStore;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.Names;
import dev.fuseml.eventing.payload.Push;
import dev.fuseml.step.EventSink;
import dev.fuseml.step.RunRef;
import org.eclipse.jgit.transport.PostReceiveHook;
import org.eclipse.jgit.transport.PreReceiveHook;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;

import java.util.Collection;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a {@code git push} to an app's codeset starts: one run per pushed ref the app follows (its codeset's HEAD,
 * {@code main} unless {@code fuseml follow} said otherwise), with
 * the pushed commit, through the same {@code dev.fuseml.push} event as {@code fuseml push}. A push to another branch
 * is stored and starts nothing; deleting a branch starts nothing. The git client hears which run started.
 * The followed branch cannot be deleted: runs were made from its history, and with non-fast-forward pushes refused
 * (CodesetGitServlet) a deletion was the one way to replace that history with an unrelated one.
 */
final class GitPushes implements PreReceiveHook, PostReceiveHook {
    private final String org;
    private final String app;
    private final EventSink events;
    private final Supplier<String> controlPlane;

    GitPushes(String org, String app, EventSink events, Supplier<String> controlPlane) {
        this.org = org;
        this.app = app;
        this.events = events;
        this.controlPlane = controlPlane;
    }

    @Override
    public void onPreReceive(ReceivePack pack, Collection<ReceiveCommand> commands) {
        String followed = followed(pack).orElse(null);
        if (followed == null) {
            commands.forEach(c -> c.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, "cannot read HEAD"));
            return;
        }
        for (ReceiveCommand command : commands) {
            if (command.getType() == ReceiveCommand.Type.DELETE && followed.equals(command.getRefName())) {
                command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, "FuseML: " + command.getRefName()
                        + " is the branch " + app + " follows, and runs were made from its history: it cannot be "
                        + "deleted (push new commits on top of it; fuseml follow " + app + " BRANCH follows another)");
            }
        }
    }

    @Override
    public void onPostReceive(ReceivePack pack, Collection<ReceiveCommand> commands) {
        String followed = followed(pack).orElse(null);
        if (followed == null) {
            pack.sendError("FuseML: the commits are stored but no run started: cannot read HEAD");
            return;
        }
        String branch = followed.substring(Constants.R_HEADS.length());
        for (ReceiveCommand command : commands) {
            if (command.getResult() != ReceiveCommand.Result.OK || command.getType() == ReceiveCommand.Type.DELETE) {
                continue;
            }
            if (!followed.equals(command.getRefName())) {
                pack.sendMessage("FuseML: " + command.getRefName() + " stored; only pushes to " + branch
                        + " start a run (fuseml follow " + app + " BRANCH changes that)");
                continue;
            }
            RunRef run = new RunRef(org, app, Names.runId(app));
            String repository = controlPlane.get() + CodesetStore.path(org, app);
            try {
                events.emit(run, "fuseml/git", FusemlEvents.PUSH, new Push(repository,
                        command.getNewId().name(), Map.of(), null));
                pack.sendMessage("FuseML: run " + run.run() + " started for " + org + "/" + app + " (fuseml logs "
                        + app + " --run " + run.run() + ")");
            } catch (RuntimeException e) {
                // the commits are stored either way; say so, and how to start the run
                pack.sendError("FuseML: the commits are stored but no run started (" + e.getMessage()
                        + "); push again or run fuseml push");
            }
        }
    }

    /** The ref the app follows (its codeset's HEAD), or empty when HEAD cannot be read. */
    private static java.util.Optional<String> followed(ReceivePack pack) {
        try {
            return java.util.Optional.of(GitCodesetStore.followed(pack.getRepository()));
        } catch (java.io.IOException e) {
            return java.util.Optional.empty();
        }
    }
}
