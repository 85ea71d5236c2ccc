package dev.fuseml.serving.onnx;

import dev.fuseml.serving.BadRequestException;
import dev.fuseml.serving.Batch;
import dev.fuseml.serving.Predictor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The wine model in the onnx flavor, run in the JVM (test resource onnx/wine-linear.onnx, see its PROVENANCE). */
class OnnxPredictorTest {
    private static final List<Object> WINE_ROW = List.of(7.0, 0.27, 0.36, 20.7, 0.045, 45, 170, 1.001, 3.0, 0.45, 8.8);
    private static final double SKLEARN_PREDICTION = 5.578568858274049;

    @TempDir
    Path dir;

    private Path model() throws IOException {
        Path file = dir.resolve("model.onnx");
        try (var in = getClass().getResourceAsStream("/onnx/wine-linear.onnx")) {
            Files.copy(in, file);
        }
        return file;
    }

    @Test
    void itPredictsWhatSklearnPredictedForTheSameRows() throws Exception {
        try (OnnxPredictor predictor = OnnxPredictor.load(model())) {
            assertThat(predictor.features()).isEqualTo(11);
            List<Object> out = predictor.predict(new Batch(null, List.of(WINE_ROW,
                    List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11))));
            assertThat((Double) out.get(0)).isCloseTo(SKLEARN_PREDICTION, within(1e-4));
            assertThat((Double) out.get(1)).isCloseTo(6.105306, within(1e-4));
        }
    }

    @Test
    void rowsThatDoNotFitTheModelAreBadRequestsThatSayWhy() throws Exception {
        try (OnnxPredictor predictor = OnnxPredictor.load(model())) {
            assertThatThrownBy(() -> predictor.predict(new Batch(null, List.of(List.of(1.0, 2.0)))))
                    .isInstanceOf(BadRequestException.class).hasMessageContaining("has 2 values", "11 features");
            List<Object> text = new ArrayList<>(WINE_ROW);
            text.set(3, "sweet");
            assertThatThrownBy(() -> predictor.predict(new Batch(null, List.of(text))))
                    .isInstanceOf(BadRequestException.class).hasMessageContaining("column 3", "numbers");
        }
    }

    @Test
    void aReplacedPredictorSendsItsRequestsToTheNextOne() throws Exception {
        OnnxPredictor predictor = OnnxPredictor.load(model());
        predictor.close();
        assertThatThrownBy(() -> predictor.predict(new Batch(null, List.of(WINE_ROW))))
                .isInstanceOf(Predictor.ClosedException.class);
    }

    @Test
    void requestsRunSideBySide() throws Exception {
        try (OnnxPredictor predictor = OnnxPredictor.load(model())) {
            List<CompletableFuture<Object>> all = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                all.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return predictor.predict(new Batch(null, List.of(WINE_ROW))).get(0);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            all.forEach(f -> assertThat((Double) f.join()).isCloseTo(SKLEARN_PREDICTION, within(1e-4)));
        }
    }

    @Test
    void mlflowsOnnxFlavorIsReadWithItsTensorSignature() throws Exception {
        model();
        Files.writeString(dir.resolve("MLmodel"), """
                flavors:
                  onnx:
                    data: model.onnx
                    onnx_version: 1.23.1
                  python_function:
                    data: model.onnx
                    loader_module: mlflow.onnx
                signature:
                  inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 11]}}]'
                """);
        dev.fuseml.registry.MLModel read = dev.fuseml.registry.MLModel.read(dir);
        assertThat(read.onnx()).isTrue();
        assertThat(read.modelFile()).isEqualTo("model.onnx");
        assertThat(read.inputs()).containsExactly(new dev.fuseml.registry.MLModel.Column("input-0", "float",
                List.of(-1L, 11L)));
    }

    @Test
    void aFileThatIsNoOnnxModelIsRefusedWithTheCause() throws Exception {
        Path bad = Files.writeString(dir.resolve("model.onnx"), "not a model");
        assertThatThrownBy(() -> OnnxPredictor.load(bad)).isInstanceOf(IOException.class)
                .hasMessageContaining("ONNX Runtime cannot load model.onnx");
    }
}
