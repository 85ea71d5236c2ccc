package dev.fuseml.build.local;

import dev.fuseml.build.EnvironmentBuilder;
import dev.fuseml.codeset.CodesetSource;
import dev.fuseml.project.Project;
import dev.fuseml.workspace.Workspaces;

import java.nio.file.Path;

/** Builds on this machine: fetches the project's code into scratch, reads its dependencies, makes the venv. */
public class VenvBuilder implements EnvironmentBuilder {
    private static final String STEP = dev.fuseml.eventing.Steps.BUILD;
    private final CodesetSource codesets;
    private final Workspaces workspaces;
    private final Venvs venvs;

    public VenvBuilder(CodesetSource codesets, Workspaces workspaces, Venvs venvs) {
        this.codesets = codesets;
        this.workspaces = workspaces;
        this.venvs = venvs;
    }

    @Override
    public String build(BuildJob job) throws Exception {
        Path code = workspaces.fresh(job.ref().run(), STEP);
        try {
            codesets.checkout(job.repository(), job.commit(), code);
            Project project = Project.inspectOrFail(code, job.entryPoint(), job.params());
            return venvs.ensure(job.ref().run(), STEP, job.ref().org(), project.dependencies());
        } finally {
            workspaces.remove(job.ref().run(), STEP);
        }
    }
}
