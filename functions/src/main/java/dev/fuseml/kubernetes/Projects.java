package dev.fuseml.kubernetes;

import dev.fuseml.codeset.CodesetSource;
import dev.fuseml.project.Project;
import dev.fuseml.step.RunRef;
import dev.fuseml.workspace.Workspaces;

import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a project at a commit of its codeset, in this process's scratch: what the kubernetes platform's steps need
 * to know before they make a Job (its dependencies, its entry point's command). The code itself runs in the Job.
 */
public final class Projects {
    private Projects() {
    }

    public static Project read(CodesetSource codesets, Workspaces workspaces, RunRef ref, String step,
            String repository, String commit, String entryPoint, Map<String, String> params) throws Exception {
        return read(codesets, workspaces, ref, step, repository, commit, entryPoint, params, code -> {
        });
    }

    /** @param alsoRead reads more of the checked-out code before it is removed */
    public static Project read(CodesetSource codesets, Workspaces workspaces, RunRef ref, String step,
            String repository, String commit, String entryPoint, Map<String, String> params,
            java.util.function.Consumer<Path> alsoRead) throws Exception {
        Path code = workspaces.fresh(ref.run(), step);
        try {
            codesets.checkout(repository, commit, code);
            Project project = Project.inspectOrFail(code, entryPoint, params);
            alsoRead.accept(code);
            return project;
        } finally {
            workspaces.remove(ref.run(), step);
        }
    }
}
