package dev.fuseml.project;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What FuseML runs in a pushed directory: an MLproject entry point, or a plain {@code train.py}, with the parameter
 * values resolved and checked.
 */
public record Project(Path dir, String entryPoint, String command, Map<String, String> parameters,
        DependencySpec dependencies) {
    public static final String DEFAULT_ENTRY_POINT = "main";
    public static final String PLAIN_SCRIPT = "train.py";

    /**
     * Inspects {@code dir}; a directory that FuseML cannot run is refused with what to add.
     *
     * @param entryPoint the entry point to run, {@code main} when null
     * @param given      parameter values from the push
     */
    public static Project inspect(Path dir, String entryPoint, Map<String, String> given)
            throws InvalidProjectException {
        String point = entryPoint == null || entryPoint.isBlank() ? DEFAULT_ENTRY_POINT : entryPoint;
        Map<String, String> params = given == null ? Map.of() : given;
        var mlproject = MLProject.read(dir);
        ServingSettings.read(dir); // refused here, at receive, rather than when the model is served
        ToolSettings.read(dir); // and the tools it names, rather than when it trains
        if (mlproject.isPresent()) {
            MLProject.EntryPoint ep = mlproject.get().entryPoint(point);
            Map<String, String> values = Parameters.resolve(ep, params);
            return new Project(dir, point, Parameters.command(ep, values), values,
                    DependencySpec.read(dir, mlproject.get()));
        }
        if (Files.isRegularFile(dir.resolve(PLAIN_SCRIPT))) {
            MLProject.EntryPoint plain = new MLProject.EntryPoint(point, "python " + PLAIN_SCRIPT, Map.of());
            Map<String, String> values = Parameters.resolve(plain, params);
            return new Project(dir, point, Parameters.command(plain, values), values,
                    DependencySpec.read(dir, null));
        }
        throw new InvalidProjectException("no entry point: the project has neither an MLproject file nor a "
                + PLAIN_SCRIPT + " (found " + listing(dir) + "). Add an MLproject with entry_points.main.command, "
                + "or a " + PLAIN_SCRIPT + " at the top of the directory you push");
    }

    /** {@link #inspect}, with a refusal turned into the step's failure (its message is the run's cause). */
    public static Project inspectOrFail(Path dir, String entryPoint, Map<String, String> given) {
        try {
            return inspect(dir, entryPoint, given);
        } catch (InvalidProjectException e) {
            throw new dev.fuseml.step.StepFailure("the project was refused: " + e.getMessage());
        }
    }

    private static List<String> listing(Path dir) {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().limit(10).toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
