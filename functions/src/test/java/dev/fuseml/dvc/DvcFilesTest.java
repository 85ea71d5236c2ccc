package dev.fuseml.dvc;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What DVC pins in a project's files, in the formats of DVC's docs (user-guide/project-structure). */
class DvcFilesTest {
    private static final String CONFIG = "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://team/dvc\n";

    private static Map<String, byte[]> files(String... pathsAndContents) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            files.put(pathsAndContents[i], pathsAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }

    static Stream<Arguments> projects() {
        return Stream.of(
                Arguments.of(Named.of("a dvc add of a file, with the project's default remote", files(
                        "data/wine.csv.dvc", "outs:\n- md5: a304afb96060aad90176268345e10355\n  size: 14445097\n"
                                + "  hash: md5\n  path: wine.csv\n", ".dvc/config", CONFIG)), Set.of(),
                        List.of(new Dataset("data/wine.csv", "a304afb96060aad90176268345e10355", null, 14445097L,
                                null, "storage", "data/wine.csv.dvc"))),
                Arguments.of(Named.of("a directory, with its own remote and file count", files(
                        "images.dvc", "outs:\n- md5: 153aad06d376b6595932470e459ef42a.dir\n  size: 8437363\n"
                                + "  nfiles: 2\n  path: images\n  remote: archive\n", ".dvc/config", CONFIG)),
                        Set.of(), List.of(new Dataset("images", "153aad06d376b6595932470e459ef42a.dir", null,
                                8437363L, 2, "archive", "images.dvc"))),
                Arguments.of(Named.of("a cloud-versioned import keeps its etag", files(
                        "raw.dvc", "outs:\n- etag: 0x8DB6A2E1C\n  path: raw.parquet\n")), Set.of(),
                        List.of(new Dataset("raw.parquet", null, "0x8DB6A2E1C", null, null, null, "raw.dvc"))),
                Arguments.of(Named.of("dvc.lock: data deps and outs, not the code git holds", files(
                        "dvc.lock", "schema: '2.0'\nstages:\n  prepare:\n    cmd: python src/prepare.py\n"
                                + "    deps:\n    - path: data/data.xml\n      md5: a304afb96060aad90176268345e10355\n"
                                + "      size: 14445097\n    - path: src/prepare.py\n      md5: f09ea0c15980b43010257ccb9f0055e2\n"
                                + "      size: 1576\n    outs:\n    - path: data/prepared\n"
                                + "      md5: 153aad06d376b6595932470e459ef42a.dir\n      size: 8437363\n      nfiles: 2\n")),
                        Set.of("src/prepare.py", "dvc.lock"), List.of(
                                new Dataset("data/data.xml", "a304afb96060aad90176268345e10355", null, 14445097L, null,
                                        null, "dvc.lock:prepare"),
                                new Dataset("data/prepared", "153aad06d376b6595932470e459ef42a.dir", null, 8437363L, 2,
                                        null, "dvc.lock:prepare"))),
                Arguments.of(Named.of("a .dvc file in a subdirectory names paths from there", files(
                        "sub/dir/x.dvc", "outs:\n- md5: 00000000000000000000000000000001\n  path: ../x.csv\n")),
                        Set.of(), List.of(new Dataset("sub/x.csv", "00000000000000000000000000000001", null, null, null,
                                null, "sub/dir/x.dvc"))),
                Arguments.of(Named.of("a directory of code git holds is not a dataset, as dep or as uncached out",
                        files("dvc.lock", "schema: '2.0'\nstages:\n  train:\n    deps:\n    - path: src\n"
                                + "      md5: 1111111111111111111111111111111a.dir\n    outs:\n    - path: report.md\n"
                                + "      md5: 2222222222222222222222222222222b\n")), Set.of("src/train.py",
                        "report.md"), List.of()),
                Arguments.of(Named.of("a path with a terminal's control characters is not recorded", files(
                        "x.dvc", "outs:\n- md5: 00000000000000000000000000000001\n  path: \"a\\e[2Jb\"\n")),
                        Set.of(), List.of()),
                Arguments.of(Named.of("files that are not DVC's YAML, and outputs not computed yet, are skipped",
                        files("broken.dvc", "outs: [unclosed", "list.dvc", "- a\n- b\n", "pending.dvc",
                                "outs:\n- path: later.csv\n")), Set.of(), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("projects")
    void datasetsAreReadAsDvcRecordsThem(Map<String, byte[]> files, Set<String> tracked, List<Dataset> expected) {
        assertThat(DvcFiles.datasets(files, tracked)).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "{0} is read: {1}")
    @org.junit.jupiter.params.provider.CsvSource({"data/wine.csv.dvc, true", "dvc.lock, true", "sub/dvc.lock, true",
            ".dvc/config, true", ".dvc, false", "sub/.dvc/config, false", "train.py, false", "dvc.yaml, false"})
    void onlyDvcsOwnFilesAreRead(String path, boolean read) {
        assertThat(DvcFiles.isDvcFile(path)).isEqualTo(read);
    }

    @org.junit.jupiter.api.Test
    void aProjectOfManyOutputsIsRecordedUpToTheBound() {
        StringBuilder outs = new StringBuilder("outs:\n");
        for (int i = 0; i < DvcFiles.MAX_DATASETS + 20; i++) {
            outs.append("- md5: ").append(String.format("%032x", i)).append("\n  path: f").append(i).append("\n");
        }
        assertThat(DvcFiles.datasets(files("many.dvc", outs.toString()), Set.of())).hasSize(DvcFiles.MAX_DATASETS);
    }
}
