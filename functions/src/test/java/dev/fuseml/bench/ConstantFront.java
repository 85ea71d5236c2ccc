package dev.fuseml.bench;

import dev.fuseml.registry.MLModel;
import dev.fuseml.serving.Batch;
import dev.fuseml.serving.Predictor;
import dev.fuseml.serving.local.PredictionServer;

import java.util.ArrayList;
import java.util.List;

/**
 * The ceiling for bench/serving.sh: FuseML's prediction HTTP front (protocol parsing, routing, JSON answer) with a
 * predictor that answers a constant, so that what it costs is the front alone.
 */
public final class ConstantFront {
    private ConstantFront() {
    }

    public static void main(String[] args) throws Exception {
        PredictionServer server = new PredictionServer("wine", "127.0.0.1", Integer.parseInt(args[0]));
        if (args.length > 1) {
            // the same front with an ONNX model: what the ONNX path costs without the orchestrator around it
            server.switchTo(1, dev.fuseml.serving.onnx.OnnxPredictor.load(java.nio.file.Path.of(args[1])),
                    new MLModel(List.of("onnx"), "model.onnx", MLModel.ONNX, List.of()));
            System.out.println("ONNX front on port " + server.port());
            Thread.currentThread().join();
        }
        server.switchTo(1, new Predictor() {
            @Override
            public List<Object> predict(Batch batch) {
                List<Object> out = new ArrayList<>();
                batch.rows().forEach(r -> out.add(5.5));
                return out;
            }

            @Override
            public void close() {
            }
        }, new MLModel(List.of("constant"), "none", "none", List.of()));
        System.out.println("constant front on port " + server.port());
        Thread.currentThread().join();
    }
}
