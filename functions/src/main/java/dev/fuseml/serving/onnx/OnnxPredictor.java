package dev.fuseml.serving.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.fuseml.serving.BadRequestException;
import dev.fuseml.serving.Batch;
import dev.fuseml.serving.Predictor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A model in MLflow's {@code onnx} flavor, run inside the JVM by ONNX Runtime: no Python process, no copy of the
 * request to another process, and requests run side by side (a session is safe to run from many threads). The
 * model takes one 2-D numeric input {@code [N, F]}; each output row is one prediction.
 */
public final class OnnxPredictor implements Predictor {
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final String input;
    private final long features;
    private final boolean doubles;
    /** Requests hold it shared; close takes it alone, so that a session is never closed under a running request. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private OnnxPredictor(OrtEnvironment environment, OrtSession session, String input, long features,
            boolean doubles) {
        this.environment = environment;
        this.session = session;
        this.input = input;
        this.features = features;
        this.doubles = doubles;
    }

    /** Loads {@code file}; the message of the exception says what the training code must change. */
    public static OnnxPredictor load(Path file) throws IOException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            // One thread per request: the server runs requests side by side, and small linear models gain
            // nothing from more.
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            session = environment.createSession(file.toString(), options);
            if (session.getInputNames().size() != 1) {
                throw new IOException("the ONNX model has inputs " + session.getInputNames() + ": FuseML serves "
                        + "models with one input of shape [N, F] (a row per prediction)");
            }
            String input = session.getInputNames().iterator().next();
            NodeInfo info = session.getInputInfo().get(input);
            if (!(info.getInfo() instanceof TensorInfo tensor) || tensor.getShape().length != 2
                    || !(tensor.type == OnnxJavaType.FLOAT || tensor.type == OnnxJavaType.DOUBLE)) {
                throw new IOException("the ONNX model's input '" + input + "' is " + info.getInfo() + ": FuseML "
                        + "serves a float or double tensor of shape [N, F]");
            }
            return new OnnxPredictor(environment, session, input, tensor.getShape()[1],
                    tensor.type == OnnxJavaType.DOUBLE);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new IOException("ONNX Runtime cannot load " + file.getFileName() + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    /** The number of features each row must have, or -1 when the model leaves it open. */
    public long features() {
        return features;
    }

    @Override
    public List<Object> predict(Batch batch) throws Exception {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new ClosedException();
            }
            try (OnnxTensor tensor = doubles ? OnnxTensor.createTensor(environment, doubleRows(batch))
                    : OnnxTensor.createTensor(environment, floatRows(batch));
                    OrtSession.Result result = session.run(Map.of(input, tensor))) {
                return rows(result.get(0).getValue());
            } catch (OrtException e) {
                throw new BadRequestException("the model could not predict these rows: " + e.getMessage());
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    private float[][] floatRows(Batch batch) throws BadRequestException {
        float[][] x = new float[batch.rows().size()][];
        for (int i = 0; i < x.length; i++) {
            List<Object> row = checked(batch, i);
            x[i] = new float[row.size()];
            for (int j = 0; j < row.size(); j++) {
                x[i][j] = number(row.get(j), i, j).floatValue();
            }
        }
        return x;
    }

    private double[][] doubleRows(Batch batch) throws BadRequestException {
        double[][] x = new double[batch.rows().size()][];
        for (int i = 0; i < x.length; i++) {
            List<Object> row = checked(batch, i);
            x[i] = new double[row.size()];
            for (int j = 0; j < row.size(); j++) {
                x[i][j] = number(row.get(j), i, j).doubleValue();
            }
        }
        return x;
    }

    private List<Object> checked(Batch batch, int i) throws BadRequestException {
        List<Object> row = batch.rows().get(i);
        if (features > 0 && row.size() != features) {
            throw new BadRequestException("row " + i + " has " + row.size() + " values, the model takes " + features
                    + " features");
        }
        return row;
    }

    private static Number number(Object value, int i, int j) throws BadRequestException {
        if (value instanceof Number n) {
            return n;
        }
        throw new BadRequestException("row " + i + ", column " + j + " is " + (value == null ? "null" : "'" + value
                + "'") + ": the model takes numbers");
    }

    /** One prediction per row: {@code [N]} as it is, {@code [N, 1]} flattened, wider rows as lists. */
    private static List<Object> rows(Object value) {
        List<Object> out = new ArrayList<>();
        if (value instanceof float[][] m) {
            for (float[] row : m) {
                if (row.length == 1) {
                    out.add((double) row[0]);
                } else {
                    List<Object> r = new ArrayList<>(row.length);
                    for (float v : row) {
                        r.add((double) v);
                    }
                    out.add(r);
                }
            }
        } else if (value instanceof double[][] m) {
            for (double[] row : m) {
                out.add(row.length == 1 ? (Object) row[0] : java.util.Arrays.stream(row).boxed().toList());
            }
        } else if (value instanceof float[] v) {
            for (float f : v) {
                out.add((double) f);
            }
        } else if (value instanceof double[] v) {
            for (double d : v) {
                out.add(d);
            }
        } else if (value instanceof long[] v) {
            for (long l : v) {
                out.add(l);
            }
        } else {
            throw new IllegalStateException("the ONNX model's first output is " + value.getClass().getSimpleName()
                    + ": FuseML serves numeric outputs of shape [N] or [N, K]");
        }
        return out;
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                closeQuietly(session);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static void closeQuietly(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // closing anyway
            }
        }
    }
}
