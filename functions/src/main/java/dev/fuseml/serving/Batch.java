package dev.fuseml.serving;

import java.util.List;

/**
 * Rows to predict, as every protocol's request reduces to.
 *
 * @param columns feature names when the request gave them (MLflow data frames, V2 named inputs), else null
 */
public record Batch(List<String> columns, List<List<Object>> rows) {
}
