package dev.fuseml.codeset.local;

import dev.fuseml.codeset.CodesetStore;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.Names;
import dev.fuseml.eventing.payload.Push;
import dev.fuseml.step.EventSink;
import dev.fuseml.step.RunRef;
import org.eclipse.jgit.transport.PostReceiveHook;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;

import java.util.Collection;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a {@code git push} to an app's codeset starts: one run per pushed ref the app follows ({@code main}), with
 * the pushed commit, through the same {@code dev.fuseml.push} event as {@code fuseml push}. A push to another branch
 * is stored and starts nothing; deleting a branch starts nothing. The git client hears which run started.
 */
final class GitPushes implements PostReceiveHook {
    static final String FOLLOWED = "refs/heads/main";

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
    public void onPostReceive(ReceivePack pack, Collection<ReceiveCommand> commands) {
        for (ReceiveCommand command : commands) {
            if (command.getResult() != ReceiveCommand.Result.OK || command.getType() == ReceiveCommand.Type.DELETE) {
                continue;
            }
            if (!FOLLOWED.equals(command.getRefName())) {
                pack.sendMessage("FuseML: " + command.getRefName() + " stored; only pushes to main start a run");
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
}
