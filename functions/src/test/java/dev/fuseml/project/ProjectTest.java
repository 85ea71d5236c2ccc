package dev.fuseml.project;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProjectTest {
    @TempDir
    Path dir;

    private void write(String name, String content) throws Exception {
        Files.writeString(dir.resolve(name), content);
    }

    private static final String MLPROJECT = """
            name: wine
            python_env: python_env.yaml
            entry_points:
              main:
                parameters:
                  alpha: {type: float, default: 0.5}
                  l1_ratio: {type: float, default: 0.1}
                  label: string
                command: "python train.py {alpha} {l1_ratio} --label {label}"
            """;

    @Test
    void mlprojectParametersHaveDefaultsTypesAndOverrides() throws Exception {
        write("MLproject", MLPROJECT);
        write("python_env.yaml", "python: '3.11'\nbuild_dependencies: [pip]\ndependencies: [numpy, scikit-learn==1.9.1]\n");
        Project project = Project.inspect(dir, null, Map.of("alpha", "0.9", "label", "it's red", "seed", "7"));
        assertThat(project.command()).isEqualTo("python train.py 0.9 0.1 --label 'it'\"'\"'s red' --seed 7");
        assertThat(project.parameters()).containsEntry("alpha", "0.9").containsEntry("l1_ratio", "0.1");
        assertThat(project.dependencies().requirements()).containsExactly("pip", "numpy", "scikit-learn==1.9.1");
        assertThat(project.dependencies().source()).isEqualTo("python_env.yaml");
    }

    @Test
    void aParameterOfTheWrongTypeIsRefused() throws Exception {
        write("MLproject", MLPROJECT);
        write("python_env.yaml", "dependencies: []\n");
        assertThatThrownBy(() -> Project.inspect(dir, null, Map.of("alpha", "lots", "label", "x")))
                .isInstanceOf(InvalidProjectException.class).hasMessageContaining("'alpha' must be a float, got 'lots'");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "-P ''{0}''=1 is refused")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"x;touch pwned;y", "k$(touch pwned2)", "a b", "--x",
            "1abc", "k`id`", "k|x", ""})
    void aParameterNameThatIsNotAPlainNameIsRefusedBeforeAnythingRuns(String key) throws Exception {
        write("train.py", "print(1)\n");
        assertThatThrownBy(() -> Project.inspect(dir, null, Map.of(key, "1")))
                .isInstanceOf(InvalidProjectException.class).hasMessageContaining("is not allowed")
                .hasMessageContaining("plain name");
    }

    @Test
    void aParameterWithoutDefaultMustBeGiven() throws Exception {
        write("MLproject", MLPROJECT);
        write("python_env.yaml", "dependencies: []\n");
        assertThatThrownBy(() -> Project.inspect(dir, null, Map.of()))
                .hasMessageContaining("'label'").hasMessageContaining("-P label=VALUE");
    }

    @Test
    void anUnknownEntryPointNamesTheOnesThereAre() throws Exception {
        write("MLproject", MLPROJECT);
        assertThatThrownBy(() -> Project.inspect(dir, "evaluate", Map.of()))
                .hasMessageContaining("no entry point 'evaluate'").hasMessageContaining("[main]");
    }

    @Test
    void brokenMlprojectFilesAreRefusedWithTheFix() throws Exception {
        write("MLproject", "entry_points: [\n");
        assertThatThrownBy(() -> Project.inspect(dir, null, Map.of())).hasMessageContaining("not valid YAML");
        write("MLproject", "name: x\n");
        assertThatThrownBy(() -> Project.inspect(dir, null, Map.of())).hasMessageContaining("no entry_points");
        write("MLproject", "entry_points:\n  main:\n    parameters: {a: {type: tensor}}\n    command: python x.py\n");
        assertThatThrownBy(() -> Project.inspect(dir, null, Map.of())).hasMessageContaining("type 'tensor'");
        write("MLproject", "python_env: missing.yaml\nentry_points:\n  main:\n    command: python x.py\n");
        assertThatThrownBy(() -> Project.inspect(dir, null, Map.of())).hasMessageContaining("missing.yaml");
    }

    @Test
    void aPlainTrainPyRunsWithRequirementsTxt() throws Exception {
        write("train.py", "print('hi')\n");
        write("requirements.txt", "# deps\nnumpy>=1.0  # arrays\n\npandas\n");
        Project project = Project.inspect(dir, null, Map.of("epochs", "3"));
        assertThat(project.command()).isEqualTo("python train.py --epochs 3");
        assertThat(project.dependencies().requirements()).containsExactly("numpy>=1.0", "pandas");
    }

    @Test
    void condaYamlGivesItsPipPart() throws Exception {
        write("train.py", "");
        write("conda.yaml", "dependencies:\n  - python=3.8\n  - scikit-learn\n  - pip:\n    - mlflow\n    - cloudpickle==2.0\n");
        DependencySpec spec = Project.inspect(dir, null, Map.of()).dependencies();
        assertThat(spec.requirements()).containsExactly("mlflow", "cloudpickle==2.0");
        assertThat(spec.notes()).singleElement().asString().contains("python=3.8", "scikit-learn");
    }

    @Test
    void aDirectoryWithoutEntryPointIsRefusedWithWhatToAdd() throws Exception {
        write("data.csv", "a,b\n");
        assertThatThrownBy(() -> Project.inspect(dir, null, Map.of())).isInstanceOf(InvalidProjectException.class)
                .hasMessageContaining("no entry point").hasMessageContaining("data.csv")
                .hasMessageContaining("entry_points.main.command");
    }

    @Test
    void theEnvironmentHashDependsOnInterpreterAndRequirements() {
        DependencySpec a = new DependencySpec("r.txt", List.of("numpy"), List.of());
        assertThat(a.hash("python3")).isEqualTo(new DependencySpec("x", List.of("numpy"), List.of()).hash("python3"));
        assertThat(a.hash("python3")).isNotEqualTo(a.hash("python3.12"));
        assertThat(a.hash("python3")).isNotEqualTo(new DependencySpec("r", List.of("pandas"), List.of()).hash("python3"));
    }

    @Test
    void servingSettingsComeFromTheMlprojectAndOutOfRangeOnesAreRefusedWithTheRange() throws Exception {
        write("MLproject", "entry_points:\n  main:\n    command: python train.py\n"
                + "serving:\n  max_batch: 16\n  max_wait_ms: 5\n");
        assertThat(ServingSettings.read(dir)).contains(new ServingSettings(16, 5, null, null));
        write("MLproject", "entry_points:\n  main:\n    command: python train.py\nserving:\n  max_batch: 0\n");
        assertThatThrownBy(() -> Project.inspect(dir, null, Map.of())).hasMessageContaining("serving.max_batch",
                "from 1 to 1024");
        write("MLproject", "entry_points:\n  main:\n    command: python train.py\nserving:\n  batch: 8\n");
        assertThatThrownBy(() -> Project.inspect(dir, null, Map.of())).hasMessageContaining("'batch'",
                "max_batch, max_wait_ms");
        write("MLproject", "entry_points:\n  main:\n    command: python train.py\n");
        assertThat(ServingSettings.read(dir)).isEmpty();
    }

    @Test
    void aClustersServingResourcesAreKubernetesQuantitiesBeforeTheyReachTheApiServer() throws Exception {
        write("MLproject", "entry_points:\n  main:\n    command: python train.py\n"
                + "serving: {cpu: 500m, memory: 1Gi, max_scale: 3, target: 7}\n");
        assertThat(ServingSettings.read(dir)).contains(new ServingSettings(null, null, null, null, "500m", "1Gi", 3,
                7));
        for (String bad : new String[]{"cpu: 'a lot'", "memory: '1Gi; rm -rf /'", "memory: [1Gi]", "max_scale: 0",
                "target: 100000"}) {
            write("MLproject", "entry_points:\n  main:\n    command: python train.py\nserving: {" + bad + "}\n");
            assertThatThrownBy(() -> ServingSettings.read(dir)).as(bad)
                    .hasMessageMatching("(?s).*(Kubernetes quantity|whole number from).*");
        }
    }

    @Test
    void anAppChoosesItsServerOnAClusterByNameAndAnUnknownOneIsRefusedWithTheChoices() throws Exception {
        write("MLproject", "entry_points:\n  main:\n    command: python train.py\nserving: {serve_target: seldon}\n");
        assertThat(ServingSettings.read(dir)).map(ServingSettings::serveTarget).contains("seldon");
        for (String bad : new String[]{"serve_target: torchserve", "serve_target: [seldon]", "serve_target: 1"}) {
            write("MLproject", "entry_points:\n  main:\n    command: python train.py\nserving: {" + bad + "}\n");
            assertThatThrownBy(() -> ServingSettings.read(dir)).as(bad)
                    .hasMessageContaining("serving.serve_target").hasMessageContaining("knative, kserve, seldon");
        }
    }

    @Test
    void anAppNamesTheToolsItsTrainingUsesAndAWrongChoiceIsRefusedAtReceiveWithTheRule() throws Exception {
        write("MLproject", "entry_points:\n  main:\n    command: python train.py\n"
                + "tracking: {server: team-mlflow, experiment: team/wine}\n"
                + "training: {target: determined, extension: gpu-cluster, slots: 2, metric: rmse}\n"
                + "data: {remote: team-data}\n");
        assertThat(ToolSettings.read(dir)).isEqualTo(new ToolSettings("team-mlflow", "team/wine", "determined",
                "gpu-cluster", 2, "rmse", "team-data"));
        assertThat(ToolSettings.read(dir).trainsOnDetermined()).isTrue();
        write("MLproject", "entry_points:\n  main:\n    command: python train.py\n");
        assertThat(ToolSettings.read(dir)).isEqualTo(ToolSettings.NONE);
        assertThat(ToolSettings.NONE.externalTracking()).isFalse();
        java.util.Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("training: {target: slurm}", "training.target is 'slurm': it must be one of local, determined");
        refused.put("training: {slots: 100}", "training.slots is 100");
        refused.put("tracking: {server: Team_MLflow}", "tracking.server is \"Team_MLflow\"");
        refused.put("tracking: {servers: x}", "tracking has 'servers': the keys are server, experiment");
        refused.put("data: remote", "data must be a mapping of remote");
        refused.put("tracking: {experiment: ''}", "tracking.experiment");
        refused.put("training: {metric: 'rm se'}", "training.metric");
        for (var bad : refused.entrySet()) {
            write("MLproject", "entry_points:\n  main:\n    command: python train.py\n" + bad.getKey() + "\n");
            assertThatThrownBy(() -> Project.inspect(dir, null, java.util.Map.of())).as(bad.getKey())
                    .isInstanceOf(InvalidProjectException.class).hasMessageContaining(bad.getValue());
        }
    }

    @Test
    void aPushedServeTargetReplacesTheProjectsAndKeepsItsOtherSettings() throws Exception {
        write("MLproject", "entry_points:\n  main:\n    command: python train.py\n"
                + "serving: {serve_target: kserve, memory: 1Gi}\n");
        assertThat(ServingSettings.forVersion(dir, "seldon")).get().satisfies(s -> {
            assertThat(s.serveTarget()).isEqualTo("seldon");
            assertThat(s.memory()).isEqualTo("1Gi");
        });
        assertThat(ServingSettings.forVersion(dir, null)).get().extracting(ServingSettings::serveTarget)
                .isEqualTo("kserve");
        write("MLproject", "entry_points:\n  main:\n    command: python train.py\n");
        assertThat(ServingSettings.forVersion(dir, null)).isEmpty();
        assertThat(ServingSettings.forVersion(dir, "knative")).get().extracting(ServingSettings::serveTarget)
                .isEqualTo("knative");
        assertThatThrownBy(() -> ServingSettings.forVersion(dir, "torchserve"))
                .hasMessageContaining("knative, kserve, seldon");
    }

    @Test
    void aRequirementIsFoundByItsNameAsPipComparesNames() {
        DependencySpec spec = new DependencySpec("requirements.txt", java.util.List.of("scikit-learn==1.5",
                "DVC[s3]>=3.0 ; python_version > '3.8'", "my_lib.extra~=1"), java.util.List.of());
        assertThat(spec.requires("dvc")).isTrue();
        assertThat(spec.requires("scikit_learn")).isTrue();
        assertThat(spec.requires("my-lib-extra")).isTrue();
        assertThat(spec.requires("dvclive")).isFalse();
        assertThat(spec.requires("sklearn")).isFalse();
    }
}
