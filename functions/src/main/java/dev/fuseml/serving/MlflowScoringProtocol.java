package dev.fuseml.serving;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * MLflow 2's scoring protocol ({@code POST /invocations}): exactly one of {@code dataframe_split},
 * {@code dataframe_records}, {@code instances} or {@code inputs}.
 */
public final class MlflowScoringProtocol {
    static final List<String> FORMATS = List.of("dataframe_split", "dataframe_records", "instances", "inputs");

    private MlflowScoringProtocol() {
    }

    public static Batch parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new BadRequestException("the request body must be a JSON object with one of the keys " + FORMATS);
        }
        List<String> present = FORMATS.stream().filter(body::has).toList();
        if (present.size() != 1) {
            throw new BadRequestException("the request must have exactly one of the keys " + FORMATS + ", it has "
                    + (present.isEmpty() ? "none" : present));
        }
        String format = present.get(0);
        JsonNode value = body.get(format);
        return switch (format) {
            case "dataframe_split" -> split(value);
            case "dataframe_records" -> records(value, format);
            default -> tensorOrRecords(value, format);
        };
    }

    private static Batch split(JsonNode split) {
        if (!split.isObject() || !split.path("data").isArray()) {
            throw new BadRequestException("dataframe_split must be an object {\"columns\": [...], \"data\": "
                    + "[[...], ...]}");
        }
        List<String> columns = null;
        if (split.has("columns")) {
            columns = new ArrayList<>();
            for (JsonNode c : split.get("columns")) {
                columns.add(c.asText());
            }
        }
        List<List<Object>> rows = new ArrayList<>();
        for (JsonNode row : split.get("data")) {
            if (!row.isArray()) {
                throw new BadRequestException("dataframe_split.data must be a list of rows (lists)");
            }
            if (columns != null && row.size() != columns.size()) {
                throw new BadRequestException("dataframe_split: a row has " + row.size() + " values for "
                        + columns.size() + " columns");
            }
            rows.add(values(row));
        }
        return new Batch(columns, rows);
    }

    private static Batch records(JsonNode records, String format) {
        if (!records.isArray()) {
            throw new BadRequestException(format + " must be a list of records {column: value}");
        }
        List<String> columns = new ArrayList<>();
        for (JsonNode record : records) {
            if (!record.isObject()) {
                throw new BadRequestException(format + " must be a list of records {column: value}");
            }
            record.fieldNames().forEachRemaining(name -> {
                if (!columns.contains(name)) {
                    columns.add(name);
                }
            });
        }
        List<List<Object>> rows = new ArrayList<>();
        for (JsonNode record : records) {
            List<Object> row = new ArrayList<>();
            for (String c : columns) {
                row.add(record.has(c) ? scalar(record.get(c)) : null);
            }
            rows.add(row);
        }
        return new Batch(columns, rows);
    }

    private static Batch tensorOrRecords(JsonNode value, String format) {
        if (value.isObject()) {
            // {column: [values...]}: named columns of equal length
            List<String> columns = new ArrayList<>();
            List<JsonNode> data = new ArrayList<>();
            for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                JsonNode column = value.get(name);
                if (!column.isArray()) {
                    throw new BadRequestException(format + "." + name + " must be a list of values");
                }
                columns.add(name);
                data.add(column);
            }
            int n = data.isEmpty() ? 0 : data.get(0).size();
            if (data.stream().anyMatch(d -> d.size() != n)) {
                throw new BadRequestException(format + ": columns have different lengths");
            }
            List<List<Object>> rows = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                List<Object> row = new ArrayList<>();
                for (JsonNode d : data) {
                    row.add(scalar(d.get(r)));
                }
                rows.add(row);
            }
            return new Batch(columns, rows);
        }
        if (!value.isArray() || value.isEmpty()) {
            throw new BadRequestException(format + " must be a non-empty list of rows, or an object of columns");
        }
        if (value.get(0).isObject()) {
            return records(value, format);
        }
        List<List<Object>> rows = new ArrayList<>();
        for (JsonNode row : value) {
            rows.add(row.isArray() ? values(row) : List.of(scalar(row)));
        }
        return new Batch(null, rows);
    }

    private static List<Object> values(JsonNode row) {
        List<Object> out = new ArrayList<>();
        row.forEach(v -> out.add(scalar(v)));
        return out;
    }

    private static Object scalar(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.isIntegralNumber() ? (Object) v.asLong() : (Object) v.asDouble();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isTextual()) {
            return v.asText();
        }
        throw new BadRequestException("values must be numbers, strings or booleans, got " + v);
    }
}
